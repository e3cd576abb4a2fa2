using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace EnvScore.Domain.Rules;

// A minimal YAML tree built from YamlDotNet parser events. We build our own instead of using
// YamlStream because we need duplicate keys reported (not thrown) and a mark on every node.
internal abstract record YNode(int Line, int Column);

internal sealed record YScalar(string Value, bool IsPlain, int Line, int Column) : YNode(Line, Column)
{
    /// <summary>Plain ~, null, Null, NULL or empty: YAML's null.</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";
}

internal sealed record YSequence(IReadOnlyList<YNode> Items, int Line, int Column) : YNode(Line, Column);

internal sealed record YMapping(IReadOnlyList<KeyValuePair<YScalar, YNode>> Entries, int Line, int Column) : YNode(Line, Column);

internal sealed class YamlSyntaxException(int line, int column, string message) : Exception(message)
{
    public int Line { get; } = line;
    public int Column { get; } = column;
}

internal static class YamlTree
{
    /// <summary>Parses the first document; throws <see cref="YamlException"/> on a syntax error.</summary>
    public static YNode? Parse(string text, Action<YScalar> reportDuplicateKey, Action<YNode> reportComplexKey)
    {
        var parser = new TrackingParser(new Parser(new StringReader(text)));
        try
        {
            var anchors = new Dictionary<string, YNode>(StringComparer.Ordinal);
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _)) return null;
            parser.Consume<DocumentStart>();
            var root = ReadNode(parser, anchors, reportDuplicateKey, reportComplexKey);
            parser.Consume<DocumentEnd>();
            return root;
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this (not YamlException) on some malformed input, e.g. an
            // unclosed flow sequence; locate it at the last event that parsed.
            throw new YamlSyntaxException(parser.Line, parser.Column, $"未闭合的括号、引号或不完整的结构 (unclosed bracket or quote: {e.Message})");
        }
    }

    /// <summary>Remembers where the last event started, to locate errors YamlDotNet reports without a mark.</summary>
    private sealed class TrackingParser(IParser inner) : IParser
    {
        public int Line { get; private set; } = 1;
        public int Column { get; private set; } = 1;
        public ParsingEvent? Current => inner.Current;
        public bool MoveNext()
        {
            if (inner.Current is { } c) { Line = L(c.Start); Column = C(c.Start); }
            return inner.MoveNext();
        }
    }

    private static int L(Mark m) => checked((int)m.Line);
    private static int C(Mark m) => checked((int)m.Column);

    private static YNode ReadNode(IParser parser, Dictionary<string, YNode> anchors,
        Action<YScalar> dup, Action<YNode> complex)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (anchors.TryGetValue(alias.Value.Value, out var target)) return target;
            throw new YamlException(alias.Start, alias.End, $"未定义的锚点\"{alias.Value}\" (undefined anchor)");
        }
        YNode node;
        string? anchor = null;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            anchor = scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value;
            node = new YScalar(scalar.Value, scalar.Style == ScalarStyle.Plain, L(scalar.Start), C(scalar.Start));
        }
        else if (parser.TryConsume<SequenceStart>(out var seqStart))
        {
            anchor = seqStart.Anchor.IsEmpty ? null : seqStart.Anchor.Value;
            var items = new List<YNode>();
            while (!parser.TryConsume<SequenceEnd>(out _)) items.Add(ReadNode(parser, anchors, dup, complex));
            node = new YSequence(items, L(seqStart.Start), C(seqStart.Start));
        }
        else
        {
            var mapStart = parser.Consume<MappingStart>();
            anchor = mapStart.Anchor.IsEmpty ? null : mapStart.Anchor.Value;
            var entries = new List<KeyValuePair<YScalar, YNode>>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = ReadNode(parser, anchors, dup, complex);
                var value = ReadNode(parser, anchors, dup, complex);
                if (key is not YScalar k) { complex(key); continue; }
                if (!seen.Add(k.Value)) { dup(k); continue; }
                entries.Add(new(k, value));
            }
            node = new YMapping(entries, L(mapStart.Start), C(mapStart.Start));
        }
        if (anchor is not null) anchors[anchor] = node;
        return node;
    }
}
