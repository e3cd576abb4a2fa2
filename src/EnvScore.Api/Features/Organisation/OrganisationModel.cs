using Microsoft.OData.ModelBuilder;

namespace EnvScore.Api.Features.Organisation;

public static class OrganisationModel
{
    public static void Register(ODataConventionModelBuilder model)
    {
        model.EntitySet<District>("Districts");
        model.EntitySet<Township>("Townships");
        model.EntitySet<Village>("Villages");
    }
}
