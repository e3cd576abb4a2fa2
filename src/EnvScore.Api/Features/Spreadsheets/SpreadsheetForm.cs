using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.Organisation;
using EnvScore.Domain.Calendar;

namespace EnvScore.Api.Features.Spreadsheets;

/// <summary>
/// What the /work page's spreadsheet form (Pages/Work/_SpreadsheetForm.cshtml) needs: the township-month, which
/// sheet (Self: the secretary's self-evaluation; District: the inspector's spot-check) and the last upload's report.
/// </summary>
public sealed record SpreadsheetForm(EvaluationMonth Month, Township Township, EvaluationKind Kind, ImportReport? Upload)
{
    public bool SpotCheck => Kind == EvaluationKind.District;

    /// <summary>The template download (API); a spot-check template lists every village, rows left blank are not checked.</summary>
    public string TemplateUrl => $"/api/spreadsheets/template?month={Month}&townshipId={Township.Id}{(SpotCheck ? "&kind=District" : "")}";

    /// <summary>The API upload used by the page's script; without JavaScript the form posts to the page.</summary>
    public string ImportUrl => $"/api/spreadsheets/import?month={Month}&townshipId={Township.Id}{(SpotCheck ? "&kind=District" : "")}";
}
