using EnvScore.Domain.Organisation;

namespace EnvScore.Api.Features.Organisation;

/// <summary>乡 / 镇 / 农场 / 街道: its party secretary submits the villages' self-evaluations.</summary>
public class Township
{
    public int Id { get; set; }
    public int DistrictId { get; set; }
    public required string Code { get; set; }
    public required string Name { get; set; }
    public TownshipKind Kind { get; set; }
    public bool IsActive { get; set; } = true;
    public District? District { get; set; }
    public List<Village> Villages { get; set; } = [];
}
