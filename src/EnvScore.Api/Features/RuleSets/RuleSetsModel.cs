using Microsoft.OData.ModelBuilder;

namespace EnvScore.Api.Features.RuleSets;

public static class RuleSetsModel
{
    public static void Register(ODataConventionModelBuilder model)
    {
        model.EntitySet<RuleSetRecord>("RuleSets");
        var type = model.EntityType<RuleSetRecord>();
        type.Name = "RuleSet";
        type.Ignore(r => r.Source);     // served as a file at /api/rule-sets/{id}/source
        type.Ignore(r => r.RowVersion);
        model.EntityType<RuleSetSectionRow>().Name = "RuleSetSection";
        model.EntityType<RuleSetItemRow>().Name = "RuleSetItem";
        model.EntityType<RuleSetVetoRow>().Name = "RuleSetVeto";

        var activate = type.Action("Activate").ReturnsFromEntitySet<RuleSetRecord>("RuleSets");
        activate.Parameter<string>("fromMonth").Optional();
        type.Action("Withdraw").ReturnsFromEntitySet<RuleSetRecord>("RuleSets");

        var inForce = type.Collection.Function("InForce").ReturnsFromEntitySet<RuleSetRecord>("RuleSets");
        inForce.Parameter<int>("districtId");
        inForce.Parameter<string>("month");
    }
}
