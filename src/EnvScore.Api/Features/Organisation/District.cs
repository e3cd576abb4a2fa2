namespace EnvScore.Api.Features.Organisation;

/// <summary>区 (or 示范区): publishes the rankings and owns its scoring rules.</summary>
public class District
{
    public int Id { get; set; }
    /// <summary>12-digit statistical division code (统计用区划代码), unique; validated as a DivisionCode.</summary>
    public required string Code { get; set; }
    public required string Name { get; set; }
    public bool IsActive { get; set; } = true;
    public List<Township> Townships { get; set; } = [];
}
