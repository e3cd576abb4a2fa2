using System.Security.Claims;
using EnvScore.Api.Features.Accounts;

namespace EnvScore.Api.Features.Evaluations;

/// <summary>
/// What one user may do with one village's sheet of a month and kind right now — the answer the write paths would give,
/// asked before offering a button (the pages never restate the rules). <see cref="For"/> is the one rule; 
/// <see cref="EvaluationService.ActionsAsync"/> loads its inputs.
/// </summary>
/// <param name="MayWrite">The user writes sheets of this kind for this township (role and scope), whatever the state.</param>
/// <param name="MayEdit">Fill in, save, submit, add or remove photos: a writer, the sheet absent or Draft/Returned, the window open.</param>
/// <param name="MayReturn">退回: the district's admin, the sheet Submitted, the window open.</param>
/// <param name="MayCorrect">更正: the district's admin, the sheet stored, its month published with a correction open.</param>
/// <param name="Frozen">Why the sheet's state allows no edit (submitted, locked), for a writer; else null.</param>
/// <param name="Closed">Why the month's window allows no edit or return now (not open yet, past the deadline); else null.</param>
public sealed record SheetActions(bool MayWrite, bool MayEdit, bool MayReturn, bool MayCorrect, string? Frozen, string? Closed)
{
    /// <param name="window">The month's window for the sheet's kind (<see cref="EvaluationService.WindowConflict"/>), null when open.</param>
    /// <param name="correctionOpen">The district's month is published and a correction is open.</param>
    public static SheetActions For(ClaimsPrincipal user, Evaluation? sheet, EvaluationKind kind, int townshipId, int districtId,
        SheetOutcome.Conflict? window, bool correctionOpen)
    {
        var writer = user.CanWrite(kind, townshipId, districtId);
        var frozen = sheet?.EditRefusal();
        var admin = user.IsAdminOf(districtId);
        return new SheetActions(
            MayWrite: writer,
            MayEdit: writer && frozen is null && window is null,
            MayReturn: admin && sheet?.Status == EvaluationStatus.Submitted && window is null,
            MayCorrect: admin && sheet is not null && correctionOpen,
            Frozen: writer ? frozen?.Message : null,
            Closed: window?.Message);
    }
}
