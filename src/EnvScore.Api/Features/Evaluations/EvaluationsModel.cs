using EnvScore.Api.Features.Audit;
using EnvScore.Api.Features.Calendar;
using Microsoft.OData.ModelBuilder;

namespace EnvScore.Api.Features.Evaluations;

public static class EvaluationsModel
{
    public static void Register(ODataConventionModelBuilder model)
    {
        model.EntitySet<Evaluation>("Evaluations");
        model.EntityType<EvaluationEntry>();
        var evidence = model.EntityType<EvidenceFile>();
        evidence.Ignore(e => e.Content); // bytes are downloaded at /api/evidence/{id}
        var type = model.EntityType<Evaluation>();
        // @odata.etag = the ETag header (strong "xmin"); xid has no order or arithmetic in PostgreSQL: not for $filter/$orderby.
        type.Property(e => e.Version).IsConcurrencyToken().IsNotFilterable().IsNotSortable();
        // The workflow's fields are changed only by the sheet's transitions (private setters), so the convention would skip them.
        model.EnumType<EvaluationStatus>();
        type.EnumProperty(e => e.Status);
        type.Property(e => e.ReturnReason);
        type.Property(e => e.SubmittedAt);
        type.Property(e => e.SubmittedBy);
        type.Property(e => e.LockedAt);
        type.Action("Submit").ReturnsFromEntitySet<Evaluation>("Evaluations");
        type.Action("Return").ReturnsFromEntitySet<Evaluation>("Evaluations").Parameter<string>("reason");

        model.EntitySet<MonthCalendar>("Calendars");
        var forMonth = model.EntityType<MonthCalendar>().Collection.Function("ForMonth").Returns<MonthCalendar>();
        forMonth.Parameter<int>("districtId");
        forMonth.Parameter<string>("month");

        var audit = model.EntitySet<AuditEntry>("AuditLog").EntityType;
        // JSON documents (jsonb): read them, don't filter or sort by them.
        audit.Property(a => a.Before).IsNotFilterable().IsNotSortable();
        audit.Property(a => a.After).IsNotFilterable().IsNotSortable();
    }
}
