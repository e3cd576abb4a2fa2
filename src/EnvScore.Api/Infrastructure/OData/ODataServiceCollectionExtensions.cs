using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Features.Publication;
using EnvScore.Api.Features.RuleSets;
using Microsoft.AspNetCore.OData;
using Microsoft.OData.Edm;
using Microsoft.OData.ModelBuilder;

namespace EnvScore.Api.Infrastructure.OData;

public static class ODataServiceCollectionExtensions
{
    public const string RoutePrefix = "odata";

    public static IHostApplicationBuilder AddEnvScoreOData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddControllers().AddOData(o => o
            .Select().Filter().OrderBy().Expand().Count().SetMaxTop(EnvScoreQueryAttribute.DefaultPageSize)
            .AddRouteComponents(RoutePrefix, BuildModel()));
        return builder;
    }

    public static IEdmModel BuildModel()
    {
        var model = new ODataConventionModelBuilder { Namespace = "EnvScore", ContainerName = "EnvScore" };
        model.EnableLowerCamelCase();
        OrganisationModel.Register(model);
        RuleSetsModel.Register(model);
        EvaluationsModel.Register(model);
        ComputationModel.Register(model);
        PublicationModel.Register(model);
        return model.GetEdmModel();
    }
}
