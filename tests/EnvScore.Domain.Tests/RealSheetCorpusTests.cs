using System.Globalization;
using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;
using YamlDotNet.RepresentationModel;

namespace EnvScore.Domain.Tests;

/// <summary>
/// The corpus of real county and township 评分细则 (scoring-rules/examples/, each with its public source named in the
/// file): every sheet loads and validates, and every village of its NAME.cases.yaml scores what the hand arithmetic
/// from the document's wording says (the `expected` expression, evaluated here; the engine never computes it).
/// </summary>
public class RealSheetCorpusTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "scoring-rules", "examples");

    private static string[] Names() => Directory.GetFiles(Folder, "*.yaml").Where(f => !f.EndsWith(".cases.yaml", StringComparison.Ordinal))
        .Select(Path.GetFileNameWithoutExtension).Order().ToArray()!;

    public static TheoryData<string> Sheets() => new(Names());

    [Fact]
    public void The_corpus_has_at_least_eight_real_sheets_each_with_three_villages()
    {
        var names = Names();
        Assert.True(names.Length >= 8, $"{names.Length} sheets");
        foreach (var name in names)
        {
            Assert.True(File.Exists(Path.Combine(Folder, name + ".cases.yaml")), $"{name}: no cases file");
            Assert.True(Cases(name).Count >= 3, $"{name}: fewer than 3 villages");
            Assert.Contains("http", File.ReadAllText(Path.Combine(Folder, name + ".yaml"))[..600]);   // the source is named at the top
        }
    }

    [Fact]
    public void The_corpus_covers_every_shape_of_real_sheets()
    {
        var sheets = Names().Select(Load).ToArray();
        var clauses = sheets.SelectMany(s => s.Items).SelectMany(i => i.AsClauses).ToArray();
        Assert.Contains(sheets, s => s.IsNested);                                                   // 类别 › 指标 › 细则
        Assert.Contains(sheets, s => s.Items.Any(i => i is ClauseItem { Clauses.Count: > 1 }));     // compound items
        Assert.Contains(clauses, c => c is AddPerUnitClause or AddIfClause);                        // additions
        Assert.Contains(clauses, c => c is RateClause);                                             // rates
        Assert.Contains(clauses, c => c is LevelsClause);                                           // levels
        Assert.Contains(clauses, c => c is SampledClause);                                          // samples
        // 一票否决: no public sheet found so far shows one in its visible text (scoring-rules/examples/README.md); the
        // default sheet's vetoes (from the district's own campaign wording, DOMAIN.md) are scored by DefaultSheetTests.
        Assert.Contains(sheets.Append(TestData.DefaultSheet), s => s.Vetoes.Count > 0);
        Assert.Contains(sheets, s => s.Bonus.Items.Count > 0);                                      // bonus
        Assert.Contains(sheets, s => s.Items.Any(i => i.MayBeNotApplicable));                       // N/A
        Assert.Contains(sheets, s => s.Scale is not null);                                          // 百分制折算
    }

    [Theory]
    [MemberData(nameof(Sheets))]
    public void Every_village_scores_what_the_hand_arithmetic_says(string name)
    {
        var rules = Load(name);
        foreach (var c in Cases(name))
        {
            var entries = Entries(rules, (YamlMappingNode)c.Children[new YamlScalarNode("entries")]);
            var vetoes = c.Children.TryGetValue(new YamlScalarNode("vetoes"), out var v) ? ((YamlSequenceNode)v).Select(n => n.ToString()).ToArray() : [];
            var result = ScoringEngine.Score(rules, new SheetEntries(entries, vetoes));
            var label = $"{name} / {c.Children[new YamlScalarNode("name")]}";
            Assert.True(result.Succeeded, $"{label}: {string.Join("; ", result.Problems)}");
            var score = result.Score!;
            var expected = Points.Round(Arithmetic.Evaluate(c.Children[new YamlScalarNode("expected")].ToString()));
            Assert.True(expected == score.SheetTotal, $"{label}: hand arithmetic {expected}, engine {score.SheetTotal}\n{string.Join("\n", score.Items.Select(i => i.Explanation))}");
            if (c.Children.TryGetValue(new YamlScalarNode("expected100"), out var e100))
                Assert.True(Points.Round(Arithmetic.Evaluate(e100.ToString())) == score.Total, $"{label}: 百分制 {Arithmetic.Evaluate(e100.ToString())}, engine {score.Total}");
            else Assert.Equal(score.SheetTotal, score.Total);
            if (vetoes.Length > 0) Assert.True(score.Vetoed, label);
        }
    }

    private static RuleSet Load(string name)
    {
        var r = RuleSetLoader.LoadFile(Path.Combine(Folder, name + ".yaml"));
        Assert.True(r.Succeeded, string.Join("\n", r.Problems));
        return r.RuleSet!;
    }

    private static IReadOnlyList<YamlMappingNode> Cases(string name)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(Folder, name + ".cases.yaml"))));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        return ((YamlSequenceNode)root.Children[new YamlScalarNode("cases")]).Cast<YamlMappingNode>().ToArray();
    }

    /// <summary>
    /// A case's entries as the sheet's entries. Items not listed get "nothing found": count 0, and for the inputs that
    /// need an answer (levels, passFail, rate) the best answer, as the cases file format says.
    /// </summary>
    private static List<ItemEntry> Entries(RuleSet rules, YamlMappingNode listed)
    {
        var given = listed.Children.ToDictionary(k => k.Key.ToString(), k => (YamlMappingNode)k.Value);
        var entries = new List<ItemEntry>();
        foreach (var item in rules.Items)
        {
            var m = given.GetValueOrDefault(item.Code);
            string? Get(string key) => m is not null && m.Children.TryGetValue(new YamlScalarNode(key), out var n) ? n.ToString() : null;
            if (Get("na") is "yes" or "true") { entries.Add(new(item.Code, NotApplicable: true)); continue; }
            var zero = m is not null && m.Children.TryGetValue(new YamlScalarNode("zero"), out var z) ? ((YamlSequenceNode)z).Select(n => n.ToString()).ToArray() : null;
            if (item is ClauseItem ci)
            {
                var inputs = new Dictionary<string, ClauseInput>();
                foreach (var clause in ci.Clauses)
                {
                    var node = m is not null && m.Children.TryGetValue(new YamlScalarNode(clause.Code), out var n) ? n : null;
                    var input = ClauseValue(clause, node, ci.Scoring);
                    if (input is not null) inputs[clause.Code] = input;
                }
                entries.Add(new(item.Code, ZeroConditions: zero, Clauses: inputs));
                continue;
            }
            entries.Add(item switch
            {
                PerOccurrenceItem => new(item.Code, Count: Int(Get("count")) ?? 0, ZeroConditions: zero),
                SampledItem => new(item.Code, FailedSamples: Int(Get("failed")) ?? 0, ZeroConditions: zero),
                LevelsItem l => new(item.Code, Level: Get("level") ?? (zero is null ? l.Levels.First(x => x.Deduction == 0).Code : null), ZeroConditions: zero),
                _ => new(item.Code, Passed: zero is not null ? null : Get("passed") is { } p ? p is "yes" or "true" : true, ZeroConditions: zero),
            });
        }
        foreach (var b in rules.Bonus.Items)
            if (given.GetValueOrDefault(b.Code) is { } bm && bm.Children.TryGetValue(new YamlScalarNode("count"), out var c))
                entries.Add(new(b.Code, Count: int.Parse(c.ToString(), CultureInfo.InvariantCulture)));
        return entries;
    }

    private static ClauseInput? ClauseValue(Clause clause, YamlNode? node, ItemScoring scoring)
    {
        var text = (node as YamlScalarNode)?.Value;
        bool? yes = text is null ? null : text is "yes" or "true";
        return clause switch
        {
            PerOccurrenceClause or SampledClause or AddPerUnitClause => new(Count: Int(text) ?? 0),
            DeductIfClause or AddIfClause => new(Yes: yes ?? false),
            PassFailClause => new(Yes: yes ?? true),
            LevelsClause l => new(Level: text ?? (scoring == ItemScoring.Add ? l.Levels.MaxBy(x => x.Addition)! : l.Levels.First(x => x.Deduction == 0)).Code),
            RateClause { Input: RateInput.Fraction } r => node is YamlMappingNode f
                ? new(Numerator: Dec(f.Children[new YamlScalarNode("numerator")].ToString()), Denominator: Dec(f.Children[new YamlScalarNode("denominator")].ToString()))
                : new(Numerator: r.Direction == RateDirection.AtLeast ? 1 : 0, Denominator: 1),
            RateClause r => new(Percent: text is null ? (r.Direction == RateDirection.AtLeast ? 100 : 0) : Dec(text.TrimEnd('%'))),
            _ => null,
        };
    }

    private static int? Int(string? s) => s is null ? null : int.Parse(s, CultureInfo.InvariantCulture);
    private static decimal Dec(string s) => decimal.Parse(s, CultureInfo.InvariantCulture);
}

/// <summary>
/// Evaluates the hand arithmetic of a cases file: decimals, + − × ÷ (also * and /), parentheses, min(a, b, …) and
/// max(a, b, …). Exact decimal arithmetic; the caller rounds once.
/// </summary>
internal static class Arithmetic
{
    public static decimal Evaluate(string expression)
    {
        var s = expression.Replace('×', '*').Replace('÷', '/').Replace('−', '-').Replace(" ", "");
        var pos = 0;
        var value = Sum(s, ref pos);
        if (pos != s.Length) throw new FormatException($"unexpected '{s[pos]}' at {pos} in {expression}");
        return value;
    }

    private static decimal Sum(string s, ref int pos)
    {
        var v = Product(s, ref pos);
        while (pos < s.Length && s[pos] is '+' or '-')
        {
            var op = s[pos++];
            var r = Product(s, ref pos);
            v = op == '+' ? v + r : v - r;
        }
        return v;
    }

    private static decimal Product(string s, ref int pos)
    {
        var v = Unary(s, ref pos);
        while (pos < s.Length && s[pos] is '*' or '/')
        {
            var op = s[pos++];
            var r = Unary(s, ref pos);
            v = op == '*' ? v * r : v / r;
        }
        return v;
    }

    private static decimal Unary(string s, ref int pos)
    {
        if (s[pos] == '-') { pos++; return -Unary(s, ref pos); }
        if (s[pos] == '(')
        {
            pos++;
            var v = Sum(s, ref pos);
            Expect(s, ref pos, ')');
            return v;
        }
        if (s.AsSpan(pos).StartsWith("min(") || s.AsSpan(pos).StartsWith("max("))
        {
            var isMin = s[pos + 1] == 'i';
            pos += 4;
            var args = new List<decimal> { Sum(s, ref pos) };
            while (s[pos] == ',') { pos++; args.Add(Sum(s, ref pos)); }
            Expect(s, ref pos, ')');
            return isMin ? args.Min() : args.Max();
        }
        var start = pos;
        while (pos < s.Length && (char.IsAsciiDigit(s[pos]) || s[pos] == '.')) pos++;
        if (start == pos) throw new FormatException($"a number expected at {pos} in {s}");
        return decimal.Parse(s.AsSpan(start, pos - start), CultureInfo.InvariantCulture);
    }

    private static void Expect(string s, ref int pos, char c)
    {
        if (pos >= s.Length || s[pos] != c) throw new FormatException($"'{c}' expected at {pos} in {s}");
        pos++;
    }
}
