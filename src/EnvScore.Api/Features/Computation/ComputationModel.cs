using Microsoft.OData.ModelBuilder;

namespace EnvScore.Api.Features.Computation;

public static class ComputationModel
{
    public static void Register(ODataConventionModelBuilder model)
    {
        model.EntitySet<ComputationRun>("ComputationRuns");
        // POST /odata/ComputationRuns/Compute {"month":"2026-11"}: the caller's district, synchronously.
        var compute = model.EntityType<ComputationRun>().Collection.Action("Compute").ReturnsFromEntitySet<ComputationRun>("ComputationRuns");
        compute.Parameter<string>("month").Required();

        model.EntitySet<VillageResult>("VillageResults");
        // Keys are never nullable (CSDL 4.01 §8.3); the optional navigation would otherwise make the foreign key so.
        model.EntityType<VillageResult>().HasKey(r => r.VillageId).HasKey(r => r.Month);
        model.EntityType<VillageResult>().HasRequired(r => r.Village);
        model.ComplexType<VillageResultSection>();

        model.EntitySet<TownshipResult>("TownshipResults");
        model.EntityType<TownshipResult>().HasKey(r => r.TownshipId).HasKey(r => r.Month);
        model.EntityType<TownshipResult>().HasRequired(r => r.Township);
    }
}
