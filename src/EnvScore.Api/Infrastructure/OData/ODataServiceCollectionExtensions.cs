using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Features.Publication;
using EnvScore.Api.Features.Rectifications;
using EnvScore.Api.Features.RuleSets;
using Microsoft.AspNetCore.OData;
using Microsoft.AspNetCore.OData.Abstracts;
using Microsoft.AspNetCore.OData.Query.Expressions;
using Microsoft.OData.Edm;
using Microsoft.OData.ModelBuilder;

namespace EnvScore.Api.Infrastructure.OData;

public static class ODataServiceCollectionExtensions
{
    public const string RoutePrefix = "odata";

    /// <summary>
    /// The OData surface: query options $select, $filter, $orderby, $expand, $count, $top/$skip, $apply, $search (see
    /// <see cref="SearchRules"/>); date-time literals with any offset (<see cref="UtcFilterBinder"/>); <c>@odata.etag</c>
    /// (<see cref="RowVersionETagHandler"/>). <c>$batch</c> is not offered (405, see docs/api.md).
    /// </summary>
    public static IHostApplicationBuilder AddEnvScoreOData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IETagHandler, RowVersionETagHandler>();
        builder.Services.AddControllers().AddOData(o => o
            .Select().Filter().OrderBy().Expand().Count().SetMaxTop(EnvScoreQueryAttribute.DefaultPageSize)
            .AddRouteComponents(RoutePrefix, BuildModel(), services =>
            {
                services.AddSingleton<IFilterBinder, UtcFilterBinder>();
                services.AddSingleton<ISearchBinder, EnvScoreSearchBinder>();
                services.AddSingleton<IETagHandler, RowVersionETagHandler>();
            }));
        return builder;
    }

    /// <summary>
    /// Before routing: <c>POST /odata/{set}/$query</c> (OData 4.01 Part 2 §11.2.5.1 — query options in a text/plain body, for
    /// queries too long for a URI) is turned into the GET it stands for. Then routing, explicitly, so that it sees the result.
    /// </summary>
    public static WebApplication UseEnvScoreOData(this WebApplication app)
    {
        app.UseODataQueryRequest();
        app.UseRouting();
        return app;
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
        RectificationsModel.Register(model);
        return model.GetEdmModel();
    }
}
