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
