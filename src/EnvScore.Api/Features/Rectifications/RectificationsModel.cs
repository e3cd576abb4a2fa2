using Microsoft.OData.ModelBuilder;

namespace EnvScore.Api.Features.Rectifications;

/// <summary>
/// OData: the set <c>Rectifications</c> (problems and their photos' metadata), the transitions as bound actions
/// <c>ReportFix(note)</c>, <c>Close(note)</c>, <c>Reject(reason)</c> (If-Match required), and the collection function
/// <c>Overdue()</c> (待整改 past the deadline, by today's date in Asia/Shanghai).
/// </summary>
public static class RectificationsModel
{
    public static void Register(ODataConventionModelBuilder model)
    {
        model.EntitySet<Rectification>("Rectifications");
        var type = model.EntityType<Rectification>();
        type.Property(r => r.Version).IsConcurrencyToken().IsNotFilterable().IsNotSortable();
        model.EntityType<RectificationPhoto>().Ignore(p => p.Content); // bytes at /api/rectification-photos/{id}
        type.Action("ReportFix").ReturnsFromEntitySet<Rectification>("Rectifications").Parameter<string>("note");
        type.Action("Close").ReturnsFromEntitySet<Rectification>("Rectifications").Parameter<string>("note");
        type.Action("Reject").ReturnsFromEntitySet<Rectification>("Rectifications").Parameter<string>("reason");
        type.Collection.Function("Overdue").ReturnsCollectionFromEntitySet<Rectification>("Rectifications");
    }
}
