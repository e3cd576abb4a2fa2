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

internal class YamlSyntaxException(int line, int column, string message) : Exception(message)
{
    public int Line { get; } = line;
    public int Column { get; } = column;
    public virtual RuleSetProblemKind Kind => RuleSetProblemKind.YamlSyntax;
}

/// <summary>
/// The file uses a YAML feature a rule set never needs and that lets a small file cost unbounded work:
/// anchors and aliases (one node repeated exponentially — "billion laughs"), nesting deeper than
/// <see cref="YamlTree.MaxDepth"/>, or more than <see cref="YamlTree.MaxNodes"/> nodes.
/// </summary>
internal sealed class YamlLimitException(int line, int column, string message) : YamlSyntaxException(line, column, message)
{
    public override RuleSetProblemKind Kind => RuleSetProblemKind.YamlLimitExceeded;
}

internal static class YamlTree
{
    /// <summary>Deepest nesting of mappings and sequences accepted (a rule set needs about 8).</summary>
    public const int MaxDepth = 32;

    /// <summary>Most nodes (scalars, mappings, sequences) in one file; a 16,000-item rule set has about 200,000.</summary>
    public const int MaxNodes = 250_000;

    /// <summary>Parses the first document; throws <see cref="YamlException"/> on a syntax error.</summary>
    public static YNode? Parse(string text, Action<YScalar> reportDuplicateKey, Action<YNode> reportComplexKey)
    {
        var parser = new TrackingParser(new Parser(new StringReader(text)));
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _)) return null;
            parser.Consume<DocumentStart>();
            var budget = new Budget();
            var root = ReadNode(parser, budget, 0, reportDuplicateKey, reportComplexKey);
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

    private sealed class Budget { public int Nodes; }

    private static YamlLimitException AnchorsRefused(Mark at) => new(L(at), C(at),
        "评分细则文件不支持锚点(&)和别名(*)，请把内容直接写出 (anchors and aliases are not supported)");

    /// <summary>
    /// Every node is read once from the text: aliases are refused (never expanded), nesting and node count
    /// are bounded, so the work is linear in the file's size (issue #21).
    /// </summary>
    private static YNode ReadNode(IParser parser, Budget budget, int depth, Action<YScalar> dup, Action<YNode> complex)
    {
        if (parser.Current is AnchorAlias alias) throw AnchorsRefused(alias.Start);
        if (parser.Current is NodeEvent { Anchor.IsEmpty: false } anchored) throw AnchorsRefused(anchored.Start);
        if (++budget.Nodes > MaxNodes && parser.Current is { } cur)
            throw new YamlLimitException(L(cur.Start), C(cur.Start),
                $"评分细则文件的节点超过{MaxNodes}个 (more than {MaxNodes} YAML nodes)");
        if (depth > MaxDepth && parser.Current is { } deep)
            throw new YamlLimitException(L(deep.Start), C(deep.Start),
                $"评分细则文件的嵌套超过{MaxDepth}层 (nested deeper than {MaxDepth} levels)");
        if (parser.TryConsume<Scalar>(out var scalar))
            return new YScalar(scalar.Value, scalar.Style == ScalarStyle.Plain, L(scalar.Start), C(scalar.Start));
        if (parser.TryConsume<SequenceStart>(out var seqStart))
        {
            var items = new List<YNode>();
            while (!parser.TryConsume<SequenceEnd>(out _)) items.Add(ReadNode(parser, budget, depth + 1, dup, complex));
            return new YSequence(items, L(seqStart.Start), C(seqStart.Start));
        }
        var mapStart = parser.Consume<MappingStart>();
        var entries = new List<KeyValuePair<YScalar, YNode>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var key = ReadNode(parser, budget, depth + 1, dup, complex);
            var value = ReadNode(parser, budget, depth + 1, dup, complex);
            if (key is not YScalar k) { complex(key); continue; }
            if (!seen.Add(k.Value)) { dup(k); continue; }
            entries.Add(new(k, value));
        }
        return new YMapping(entries, L(mapStart.Start), C(mapStart.Start));
    }
}
