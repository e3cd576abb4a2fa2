using System.Text.Json;
using System.Xml;
using EnvScore.Api.Features.Demo;
using EnvScore.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OData.Edm;
using Microsoft.OData.Edm.Csdl;

namespace EnvScore.Api.Tests.OData;

/// <summary>
/// The service with the demo district and three months of sample history (sheets, results, two published months), read
/// by several OData test classes. The model is the one the service serves at <c>/odata/$metadata</c>, parsed by
/// Microsoft.OData.Edm's CsdlReader — tests are generated from it, not from our C# types.
/// </summary>
public sealed class ODataFixture : IAsyncLifetime
{
    public EnvScoreFactory Factory { get; } = new();
    public IEdmModel Model { get; private set; } = null!;
    public string MetadataXml { get; private set; } = "";
    public HttpClient Anonymous { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;
    public HttpClient Secretary { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)Factory).InitializeAsync();
        await using (var scope = Factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<DemoMonths>().AddAsync(3);
        Anonymous = Factory.CreateClient();
        Admin = await Factory.ClientForAsync("admin");
        Secretary = await Factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        MetadataXml = await Anonymous.GetStringAsync("/odata/$metadata");
        using var reader = XmlReader.Create(new StringReader(MetadataXml));
        Model = CsdlReader.Parse(reader);
    }

    public async Task DisposeAsync() => await ((IAsyncLifetime)Factory).DisposeAsync();

    /// <summary>Every row of a query, following @odata.nextLink.</summary>
    public static async Task<List<JsonElement>> AllRowsAsync(HttpClient client, string url)
    {
        var rows = new List<JsonElement>();
        for (var next = url; next is not null;)
        {
            var json = await client.GetJsonAsync(next);
            rows.AddRange(json.GetProperty("value").EnumerateArray().Select(r => r.Clone()));
            next = json.TryGetProperty("@odata.nextLink", out var link) ? link.GetString() : null;
        }
        return rows;
    }
}
