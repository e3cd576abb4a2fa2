namespace EnvScore.Api.Features.Accounts;

public static class Roles
{
    public const string DistrictAdmin = "DistrictAdmin";
    public const string DistrictInspector = "DistrictInspector";
    public const string TownshipSecretary = "TownshipSecretary";

    public static readonly string[] All = [DistrictAdmin, DistrictInspector, TownshipSecretary];
}

/// <summary>Claim types that carry the scope a user is bound to.</summary>
public static class ScopeClaims
{
    public const string DistrictId = "envscore:district";
    public const string TownshipId = "envscore:township";
}
