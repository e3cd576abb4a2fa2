using Microsoft.AspNetCore.OData.Abstracts;
using Microsoft.Net.Http.Headers;

namespace EnvScore.Api.Infrastructure.OData;

/// <summary>
/// <c>@odata.etag</c> in payloads (OData JSON 4.01 §4.5.3) written exactly as the ETag header: the strong tag of the row
/// version, <c>"74312"</c> (one concurrency property per entity type: the PostgreSQL xmin). Clients may send either back.
/// </summary>
public sealed class RowVersionETagHandler : IETagHandler
{
    public EntityTagHeaderValue CreateETag(IDictionary<string, object> properties, TimeZoneInfo? timeZoneInfo = null)
    {
        var value = properties.Values.SingleOrDefault();
        var version = value switch
        {
            uint u => u,
            long l => (uint)l,
            int i => (uint)i,
            _ => Convert.ToUInt32(value, System.Globalization.CultureInfo.InvariantCulture),
        };
        return Http.EntityTagCondition.RowVersionTag(version);
    }

    public IDictionary<string, object> ParseETag(EntityTagHeaderValue etagHeaderValue)
    {
        var text = etagHeaderValue.Tag.Value?.Trim('"');
        return uint.TryParse(text, out var v) ? new Dictionary<string, object> { ["version"] = (long)v } : new Dictionary<string, object>();
    }
}
