using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using YamlDotNet.RepresentationModel;

namespace EnvScore.Domain.Tests;

/// <summary>The shipped rule-set files conform to the published JSON Schema (editors and CI can use it too).</summary>
public class SchemaConformanceTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "scoring-rules");

    [Fact]
    public void The_default_sheet_conforms_to_the_schema()
    {
        var result = Schema().Evaluate(ToJson(File.ReadAllText(Path.Combine(Folder, "six-disorders-six-cleanups.yaml"))),
            new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(result.IsValid, string.Join("\n", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Values)}")));
    }

    [Fact]
    public void The_schema_rejects_an_unknown_kind_and_a_missing_field()
    {
        var yaml = File.ReadAllText(Path.Combine(Folder, "six-disorders-six-cleanups.yaml"));
        Assert.False(Schema().Evaluate(ToJson(yaml.Replace("kind: sampled", "kind: sampling"))).IsValid);
        Assert.False(Schema().Evaluate(ToJson(yaml.Replace("totalPoints: 100\n", ""))).IsValid);
    }

    [Fact]
    public void The_schema_knows_overdue_problems_as_an_item_kind_and_a_clause_kind()
    {
        const string sheet = """
            code: T
            title: 测试
            version: 1
            effectiveFrom: "2026-01"
            totalPoints: 15
            sections:
              - code: A
                title: 长效机制
                maxPoints: 15
                items:
                  - {code: Z01, title: 整改落实, kind: overdueProblems, points: 10, deductionEach: 2, maxDeduction: 6}
                  - code: C01
                    title: 问题整改
                    points: 5
                    clauses:
                      - {code: b, kind: overdueProblems, text: 逾期未整改问题, deductionEach: 1.5}
            tiers: {demonstrationMin: 14, upgradeMin: 10}
            combination: {selfWeight: 0.3, districtWeight: 0.7, inflationThreshold: 10}
            """;
        Assert.True(Schema().Evaluate(ToJson(sheet)).IsValid);
        Assert.False(Schema().Evaluate(ToJson(sheet.Replace("maxDeduction: 6}", "maxDeduction: 6, unit: 处}"))).IsValid);
        Assert.False(Schema().Evaluate(ToJson(sheet.Replace(", deductionEach: 1.5}", "}"))).IsValid);
    }

    // Parsed once: the library registers a schema by its $id and refuses to register it twice.
    private static readonly Lazy<JsonSchema> Parsed = new(() => JsonSchema.FromText(File.ReadAllText(Path.Combine(Folder, "rule-set.schema.json"))));

    private static JsonSchema Schema() => Parsed.Value;

    /// <summary>YAML → JSON with YAML's plain scalars typed as JSON numbers/booleans where they look like them.</summary>
    private static JsonElement ToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return JsonSerializer.SerializeToElement(Convert(stream.Documents[0].RootNode));
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, Convert(kv.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(Convert)]),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } s when decimal.TryParse(s.Value, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var d)
            => JsonValue.Create(d),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: "true" or "false" } b => JsonValue.Create(b.Value == "true"),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: null or "" or "null" or "~" } => null,
        YamlScalarNode s => JsonValue.Create(s.Value),
        _ => throw new NotSupportedException(node.GetType().Name),
    };
}
