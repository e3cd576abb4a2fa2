using System.Security.Claims;
using EnvScore.Api.Features.Accounts;
using EnvScore.Domain.Calendar;

namespace EnvScore.Api.Features.Rectifications;

/// <summary>What a user may do to a problem; <see cref="RectificationRules.Decide"/> answers for one of these.</summary>
public enum RectificationAction
{
    /// <summary>上传整改前照片 (district inspector, while 待整改).</summary>
    AddBeforePhoto,
    /// <summary>上传整改后照片 (the village's township secretary, while 待整改).</summary>
    AddAfterPhoto,
    /// <summary>报告已整改 → 已整改待复核 (the township secretary; needs an after-photo taken since the last rejection).</summary>
    ReportFix,
    /// <summary>复核通过、销号 → 已销号 (district inspector).</summary>
    Close,
    /// <summary>复核未通过 → 待整改 (district inspector, with a reason).</summary>
    Reject,
}

/// <summary>A refusal: HTTP status, machine code, Chinese message (English gloss in brackets).</summary>
public sealed record RectificationRefusal(int Status, string Code, string Message);

/// <summary>
/// The one place for the rules of the rectification loop (整改闭环, issue #17): who sees a problem, who may create one,
/// which transition each role may make in which state, and when a problem is overdue. The API, the pages and the
/// ledger all ask here; nothing restates these rules.
/// <list type="bullet">
/// <item>Reading: district admin and inspectors their district's problems; a township secretary their township's; nobody else.</item>
/// <item>Creating (an inspector's round): a district inspector, for a village of their district.</item>
/// <item>Fixing (after-photos, 报告整改): only the secretary of the village's township.</item>
/// <item>Reviewing (销号 / 复核未通过): only a district inspector of the problem's district.</item>
/// <item>A closed problem (已销号) changes no more.</item>
/// </list>
/// Order of refusals: not visible → 404; wrong role or scope → 403; closed or wrong state → 409.
/// </summary>
public static class RectificationRules
{
    public const int MaxTextLength = 1000;
    /// <summary>Days to fix when the rule set says nothing (整改时限).</summary>
    public static int DefaultDeadlineDays => Domain.Rules.RectificationPolicy.Default.DeadlineDays;

    public const string CodeClosed = "RectificationClosed";
    public const string CodeWrongState = "RectificationWrongState";
    public const string CodeAfterPhotoRequired = "AfterPhotoRequired";
    public const string CodeReasonRequired = "ReasonRequired";
    public const string CodeNotAnImage = "NotAnImage";
    public const string CodePhotoTooLarge = "PhotoTooLarge";
    public const string CodeNoPhoto = "NoPhoto";
    /// <summary>409: an after-photo whose bytes are a before-photo's.</summary>
    public const string CodeAfterPhotoSameAsBefore = "AfterPhotoSameAsBefore";
    /// <summary>409: an after-photo whose bytes were already shown with an earlier, rejected fix.</summary>
    public const string CodeAfterPhotoAlreadyRejected = "AfterPhotoAlreadyRejected";

    /// <summary>
    /// Who reads problems: the district roles their district's; a township secretary their township's — except the
    /// problems the monthly computation made from a district spot-check (<see cref="RectificationSource.DistrictCheck"/>),
    /// which carry the check's findings and points and so follow the publication rule of
    /// <see cref="Computation.ComputationVisibility"/>: the township reads them once the month has been published.
    /// Problems from an inspector's round and from the township's own sheet are theirs at once.
    /// </summary>
    /// <param name="publications">The publications table (db.Publications).</param>
    public static IQueryable<Rectification> VisibleTo(this IQueryable<Rectification> query, ClaimsPrincipal user,
        IQueryable<Publication.Publication> publications)
    {
        if (user.IsInRole(Roles.DistrictAdmin) || user.IsInRole(Roles.DistrictInspector))
        {
            var district = user.DistrictId() ?? -1;
            return query.Where(r => r.DistrictId == district);
        }
        if (user.IsInRole(Roles.TownshipSecretary))
        {
            var township = user.TownshipId() ?? -1;
            return query.Where(r => r.TownshipId == township
                && (r.Source != RectificationSource.DistrictCheck
                    || publications.Any(p => p.DistrictId == r.DistrictId && p.Month == r.Month && p.LatestRevision > 0)));
        }
        return query.Where(r => false);
    }

    /// <summary>May the user report a problem (an inspector's round) in this district?</summary>
    public static bool MayCreate(ClaimsPrincipal user, int districtId) =>
        user.IsInRole(Roles.DistrictInspector) && user.DistrictId() == districtId;

    public static bool IsInspectorOf(ClaimsPrincipal user, int districtId) =>
        user.IsInRole(Roles.DistrictInspector) && user.DistrictId() == districtId;

    public static bool IsSecretaryOf(ClaimsPrincipal user, int townshipId) =>
        user.IsInRole(Roles.TownshipSecretary) && user.TownshipId() == townshipId;

    /// <summary>Null when the user may do <paramref name="action"/> on the (visible) problem now; else why not.</summary>
    public static RectificationRefusal? Decide(ClaimsPrincipal user, RectificationAction action, Rectification r)
    {
        var roleOk = action switch
        {
            RectificationAction.AddBeforePhoto or RectificationAction.Close or RectificationAction.Reject => IsInspectorOf(user, r.DistrictId),
            _ => IsSecretaryOf(user, r.TownshipId),
        };
        if (!roleOk)
            return new(403, "Forbidden", action switch
            {
                RectificationAction.AddBeforePhoto => "只有区级督查员可以上传整改前照片 (only a district inspector adds before-photos)",
                RectificationAction.Close or RectificationAction.Reject => "只有区级督查员可以复核、销号 (only a district inspector reviews and closes)",
                _ => "只有该村所属乡镇的党委书记可以上报整改 (only the village's township secretary reports the fix)",
            });
        if (r.State == RectificationState.Closed)
            return new(409, CodeClosed, "该问题已销号，不能再修改 (the problem is closed)");
        var wanted = action is RectificationAction.Close or RectificationAction.Reject ? RectificationState.AwaitingReview : RectificationState.Open;
        if (r.State != wanted)
            return new(409, CodeWrongState, action switch
            {
                RectificationAction.Close or RectificationAction.Reject =>
                    $"该问题当前为“{StateName(r.State)}”，只有“已整改待复核”的问题可以复核 (only a fixed problem can be reviewed)",
                _ => $"该问题当前为“{StateName(r.State)}”，等待区级复核，不能再修改整改内容 (waiting for review)",
            });
        if (action == RectificationAction.ReportFix && !HasFreshAfterPhoto(r))
            return new(409, CodeAfterPhotoRequired, r.RejectCount > 0
                ? "复核未通过后须重新上传整改后照片，再上报整改 (upload a new after-photo since the rejection)"
                : "请先上传整改后照片，再上报整改 (upload an after-photo first)");
        return null;
    }

    /// <summary>The actions the user may take on the problem now (for pages: buttons shown are exactly these).</summary>
    public static IReadOnlyList<RectificationAction> Allowed(ClaimsPrincipal user, Rectification r) =>
        Enum.GetValues<RectificationAction>().Where(a => Decide(user, a, r) is null).ToList();

    /// <summary>An after-photo of the current fix round (any, if never rejected).</summary>
    public static bool HasFreshAfterPhoto(Rectification r) =>
        r.Photos.Any(p => p.Kind == RectificationPhotoKind.After && IsCurrent(r, p));

    /// <summary>
    /// The fix round an after-photo uploaded now belongs to: 1 before any rejection, n + 1 after n (after-photos are
    /// added only while 待整改, so the round being prepared is always the next report's).
    /// </summary>
    public static int CurrentFixRound(Rectification r) => r.RejectCount + 1;

    /// <summary>
    /// Does the photo still count? Before-photos always; an after-photo while its round is the current one (复核未通过
    /// ends a round and asks for a new photo). Decided by the photo's <see cref="RectificationPhoto.FixRound"/>, not by times.
    /// </summary>
    public static bool IsCurrent(Rectification r, RectificationPhoto p) =>
        p.Kind == RectificationPhotoKind.Before || p.FixRound == CurrentFixRound(r);

    /// <summary>
    /// Why an after-photo with these bytes (<paramref name="sha256"/>, lower-case hex) may not be added to the problem, or
    /// null: a photo with the same content as a before-photo (the inspector's own problem photo) is no evidence of a fix,
    /// and one already shown in an earlier fix that was rejected is not the new photo a rejection asks for
    /// (docs/rectification.md). The same bytes as an after-photo of the current round are that photo (a retry): not refused.
    /// </summary>
    public static RectificationRefusal? RefuseReusedAfterPhoto(Rectification r, string sha256, string fileName)
    {
        if (r.Photos.Any(p => p.Kind == RectificationPhotoKind.Before && p.Sha256 == sha256))
            return new(409, CodeAfterPhotoSameAsBefore,
                $"照片“{fileName}”与整改前（发现问题时）拍的照片完全相同，不能作为整改后照片，请在整改完成后到现场重新拍照上传 (the after-photo is the before-photo)");
        if (r.Photos.FirstOrDefault(p => p.Kind == RectificationPhotoKind.After && p.Sha256 == sha256 && p.FixRound != CurrentFixRound(r)) is { } used)
            return new(409, CodeAfterPhotoAlreadyRejected,
                $"照片“{fileName}”已在第{used.FixRound}次整改上报时用过，该次复核未通过，须上传整改后新拍的照片 (the photo was shown with a rejected fix)");
        return null;
    }

    /// <summary>The calendar day in Asia/Shanghai of an instant.</summary>
    public static DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), ChinaTime.Zone).DateTime);

    public static DateOnly LocalDate(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, ChinaTime.Zone).DateTime);

    /// <summary>Overdue (逾期未整改): still 待整改 after its deadline day (Asia/Shanghai) has ended.</summary>
    public static bool IsOverdue(Rectification r, DateOnly today) => r.State == RectificationState.Open && r.Deadline < today;

    /// <summary>The same predicate for queries (translated to SQL).</summary>
    public static IQueryable<Rectification> Overdue(this IQueryable<Rectification> query, DateOnly today) =>
        query.Where(r => r.State == RectificationState.Open && r.Deadline < today);

    /// <summary>The deadline of a problem found at <paramref name="foundAt"/>: that day (Asia/Shanghai) plus <paramref name="days"/>.</summary>
    public static DateOnly DeadlineFor(DateTimeOffset foundAt, int days) => LocalDate(foundAt).AddDays(days);

    public static string StateName(RectificationState s) => s switch
    {
        RectificationState.Open => "待整改", RectificationState.AwaitingReview => "已整改待复核", _ => "已销号",
    };

    public static string SourceName(RectificationSource s) => s switch
    {
        RectificationSource.DistrictCheck => "区级抽查", RectificationSource.SelfEvaluation => "乡镇自评", _ => "日常巡查",
    };

    public static string ActionName(RectificationAction a) => a switch
    {
        RectificationAction.AddBeforePhoto => "上传整改前照片", RectificationAction.AddAfterPhoto => "上传整改后照片",
        RectificationAction.ReportFix => "上报整改", RectificationAction.Close => "复核通过并销号", _ => "复核未通过",
    };
}
