namespace EnvScore.Api.Features.Organisation;

/// <summary>村 / 社区: the unit that is scored and ranked every month.</summary>
public class Village
{
    public int Id { get; set; }
    public int TownshipId { get; set; }
    public required string Code { get; set; }
    public required string Name { get; set; }
    public bool IsActive { get; set; } = true;
    public Township? Township { get; set; }
}
