using EnvScore.Api.Features.Accounts;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Api.Infrastructure.Data;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Rules;
using EnvScore.Domain.Scoring;
using Microsoft.EntityFrameworkCore;

namespace EnvScore.Api.Features.Evaluations;

/// <summary>
/// The sheet form's fields as entries: <c>v.{code}</c> (level code, "true"/"false", or a whole number), <c>na.{code}</c>
/// ("true": not applicable), <c>z.{code}</c> (zero-if condition codes), <c>veto</c> (veto codes), <c>note</c>.
/// Only "is this a whole number" is judged here; every other rule is the engine's. Used by the sheet page and the preview.
/// </summary>
public sealed class SheetForm
{
    public Dictionary<string, EntryWrite> Entries { get; } = [];
    /// <summary>The text typed into each count field, as typed ("三处", "-1").</summary>
    public Dictionary<string, string> Typed { get; } = [];
    /// <summary>Item code → messages about fields that are not whole numbers.</summary>
    public Dictionary<string, List<string>> Problems { get; } = [];
    public List<string> Vetoes { get; private set; } = [];
    public string? Note { get; private set; }

    /// <summary>Entries already read (e.g. a stored sheet), for the preview.</summary>
    public static SheetForm Of(IEnumerable<EntryWrite> entries, IEnumerable<string> vetoes)
    {
        var form = new SheetForm { Vetoes = [.. vetoes] };
        foreach (var e in entries) form.Entries[e.ItemCode] = e;
        return form;
    }

    public static SheetForm Read(RuleSet rules, IFormCollection form)
    {
        var read = new SheetForm();
        foreach (var item in rules.Items)
        {
            var code = item.Code;
            if (item is ClauseItem ci) { read.ReadClauses(ci, form); continue; }
            var raw = form[$"v.{code}"].ToString().Trim();
            if (item is SampledItem or PerOccurrenceItem) read.Typed[code] = raw;
            // 不适用 ticked: the item is not applicable, whatever its other fields still hold (a prefilled 0 is not an error).
            if (form[$"na.{code}"] == "true") { read.Entries[code] = new EntryWrite { ItemCode = code, NotApplicable = true }; continue; }
            var entry = new EntryWrite
            {
                ItemCode = code, NotApplicable = form[$"na.{code}"] == "true",
                ZeroConditions = form[$"z.{code}"].Where(z => !string.IsNullOrEmpty(z)).Select(z => z!).ToList(),
            };
            entry = item switch
            {
                LevelsItem => entry with { Level = raw.Length == 0 ? null : raw },
                PassFailItem => entry with { Passed = raw switch { "true" => true, "false" => false, _ => null } },
                SampledItem => entry with { FailedSamples = read.Int(code, raw) },
                _ => entry with { Count = read.Int(code, raw) },
            };
            if (entry.NotApplicable || entry.Count is not null || entry.Level is not null || entry.FailedSamples is not null || entry.Passed is not null
                || entry.ZeroConditions!.Count > 0)
                read.Entries[code] = entry;
        }
        foreach (var bonus in rules.Bonus.Items)
        {
            var raw = form[$"v.{bonus.Code}"].ToString().Trim();
            read.Typed[bonus.Code] = raw;
            if (read.Int(bonus.Code, raw) is { } n) read.Entries[bonus.Code] = new EntryWrite { ItemCode = bonus.Code, Count = n };
        }
        read.Vetoes = form["veto"].Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToList();
        read.Note = form["note"].ToString();
        return read;
    }

    /// <summary>
    /// An item with clauses: <c>c.{item}.{clause}</c> (a whole number, a level code, "true"/"false", or a percentage),
    /// and for a rate entered as a fraction <c>cn.{item}.{clause}</c> / <c>cd.{item}.{clause}</c>; what is typed is kept
    /// under <c>{item}.{clause}</c> (and <c>{item}.{clause}.n</c> / <c>.d</c>).
    /// </summary>
    private void ReadClauses(ClauseItem item, IFormCollection form)
    {
        var code = item.Code;
        var values = new List<ClauseValue>();
        foreach (var clause in item.Clauses)
        {
            var key = $"{code}.{clause.Code}";
            var raw = form[$"c.{key}"].ToString().Trim();
            ClauseValue? value = clause switch
            {
                PerOccurrenceClause or SampledClause or AddPerUnitClause => Keep(key, raw) is var _ && Int(code, raw) is { } n ? new() { Count = n } : null,
                // Not a field of the form (the ledger counts it); a value posted anyway reaches the engine, which refuses it.
                OverdueProblemsClause => Keep(key, raw) is var _ && Int(code, raw) is { } o ? new() { Count = o } : null,
                LevelsClause => raw.Length == 0 ? null : new() { Level = raw },
                PassFailClause => raw switch { "true" => new() { Yes = true }, "false" => new() { Yes = false }, _ => null },
                DeductIfClause or AddIfClause => raw == "true" ? new() { Yes = true } : null,
                RateClause { Input: RateInput.Fraction } => Fraction(code, key, form[$"cn.{key}"].ToString().Trim(), form[$"cd.{key}"].ToString().Trim()),
                _ => Keep(key, raw) is var _ && Dec(code, raw) is { } p ? new() { Percent = p } : null,
            };
            if (value is not null) { value.Code = clause.Code; values.Add(value); }
        }
        var entry = new EntryWrite
        {
            ItemCode = code, NotApplicable = form[$"na.{code}"] == "true",
            ZeroConditions = form[$"z.{code}"].Where(z => !string.IsNullOrEmpty(z)).Select(z => z!).ToList(), Clauses = values,
        };
        if (entry.NotApplicable || values.Count > 0 || entry.ZeroConditions!.Count > 0) Entries[code] = entry;
    }

    private string Keep(string key, string raw) => Typed[key] = raw;

    private ClauseValue? Fraction(string code, string key, string numerator, string denominator)
    {
        Typed[$"{key}.n"] = numerator;
        Typed[$"{key}.d"] = denominator;
        var n = Dec(code, numerator);
        var d = Dec(code, denominator);
        return n is null && d is null ? null : new ClauseValue { Numerator = n, Denominator = d };
    }

    private decimal? Dec(string code, string raw)
    {
        if (raw.Length == 0) return null;
        // As the spreadsheet reads a cell (full-width digits, "．", a "%" after it): one rule for both paths.
        if (EnvScore.Spreadsheets.Templates.TypedNumber.TryDecimal(raw, percent: true, out var d)) return d;
        if (!Problems.TryGetValue(code, out var list)) Problems[code] = list = [];
        list.Add($"应填数字（阿拉伯数字，如 85 或 85.5），实际为\"{raw}\"");
        return null;
    }

    private int? Int(string code, string raw)
    {
        if (raw.Length == 0) return null;
        // As the spreadsheet reads a cell: "３", " 2 ", "2处", "3.0" are numbers; "三处", "2.5" are not.
        if (EnvScore.Spreadsheets.Templates.TypedNumber.TryWhole(raw, null, out var n)) return n;
        if (!Problems.TryGetValue(code, out var list)) Problems[code] = list = [];
        list.Add($"应填整数（阿拉伯数字，如 3），实际为\"{raw}\"");
        return null;
    }
}

/// <summary>
/// <c>POST /api/sheet-preview</c> (signed-in users; form fields as the sheet form posts them, plus <c>villageId</c> and
/// <c>m</c>=yyyy-MM): the running score of a sheet being filled in, computed by <see cref="ScoringEngine"/> with the
/// month's rule set — the page's script shows it and keeps no scoring rules of its own. Stores nothing.
/// Answer: <c>{ total, complete, missing: [{code, title}], problems: [{code, message}], sections: [{title, score, max}] }</c>;
/// <c>total</c> is null while a field is wrong; items not yet answered count as full marks until answered (<c>complete</c> false).
/// 404 when the village or the month's rule set does not exist.
/// </summary>
public static class SheetPreviewEndpoint
{
    public sealed record Problem(string? Code, string Message);
    public sealed record Missing(string Code, string Title);
    public sealed record Section(string Title, decimal Score, decimal Max);
    public sealed record Preview(decimal? Total, bool Complete, IReadOnlyList<Missing> Missing, IReadOnlyList<Problem> Problems, IReadOnlyList<Section> Sections);

    public static IEndpointRouteBuilder MapSheetPreview(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/sheet-preview", async (HttpRequest request, EnvScoreDbContext db, RuleSetStore ruleSets, CancellationToken ct) =>
        {
            if (!request.HasFormContentType)
            {
                Infrastructure.Errors.ErrorCodes.Set(request.HttpContext, Infrastructure.Errors.ErrorCodes.InvalidJson);
                return Results.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["villageId"] = ["应以表单字段提交（application/x-www-form-urlencoded或multipart/form-data），不接受JSON请求体 (form fields expected)"],
                    ["m"] = ["月份，如2026-11，与villageId一同以表单字段提交 (form field m expected)"],
                }, title: "预览须以表单提交：villageId、m 以及表上各项（v.编码、na.编码…），不接受JSON (a form is expected, not JSON)",
                    extensions: new Dictionary<string, object?> { ["code"] = Infrastructure.Errors.ErrorCodes.InvalidJson });
            }
            var form = await request.ReadFormAsync(ct);
            if (!int.TryParse(form["villageId"], out var villageId) || !EvaluationMonth.TryParse(form["m"], out var month))
                return Results.Problem(title: "缺少村（社区）或月份 (villageId and m are required)", statusCode: 400);
            var districtId = await db.Villages.Where(v => v.Id == villageId).Select(v => (int?)v.Township!.DistrictId).SingleOrDefaultAsync(ct);
            if (districtId is null || (request.HttpContext.User.DistrictId() is { } own && own != districtId))
                return Results.Problem(title: "该村（社区）不存在 (no such village)", statusCode: 404);
            var record = await ruleSets.ResolveAsync(districtId.Value, month, ct);
            if (record is null) return Results.Problem(title: $"{month.ToChinese()}没有启用的评分细则 (no rule set for the month)", statusCode: 404);
            var rules = ruleSets.Parse(record);
            return Results.Ok(Compute(rules, SheetForm.Read(rules, form), await OverdueCountAsync(db, rules, districtId.Value, villageId, month, ct)));
        }).RequireAuthorization().WithTags("Evaluations");
        return app;
    }

    /// <summary>The clauses answered so far, and for the clauses that need an answer and have none the one that deducts nothing.</summary>
    private static Dictionary<string, ClauseInput> BestAnswers(ClauseItem item, IReadOnlyDictionary<string, ClauseInput>? given)
    {
        var inputs = given is null ? new Dictionary<string, ClauseInput>() : new Dictionary<string, ClauseInput>(given);
        foreach (var clause in item.Clauses)
            if (!inputs.ContainsKey(clause.Code))
                switch (clause)
                {
                    case LevelsClause l: inputs[clause.Code] = new(Level: (item.Scoring == ItemScoring.Add ? l.Levels.MaxBy(x => x.Addition)! : l.Levels.MinBy(x => x.Deduction)!).Code); break;
                    case PassFailClause: inputs[clause.Code] = new(Yes: true); break;
                    case RateClause { Input: RateInput.Fraction } r: inputs[clause.Code] = new(Numerator: r.Direction == RateDirection.AtLeast ? 1 : 0, Denominator: 1); break;
                    case RateClause r: inputs[clause.Code] = new(Percent: r.Direction == RateDirection.AtLeast ? 100 : 0); break;
                }
        return inputs;
    }

    /// <summary>
    /// The village's count of overdue problems at the end of the month when the rule set deducts for them
    /// (<see cref="Rectifications.OverdueProblemCount"/>, as the computation feeds it), else 0 without reading anything.
    /// </summary>
    public static async Task<int> OverdueCountAsync(EnvScoreDbContext db, RuleSet rules, int districtId, int villageId, EvaluationMonth month, CancellationToken ct) =>
        rules.UsesOverdueProblems ? await Rectifications.OverdueProblemCount.CountAsync(db, districtId, villageId, month, ct) : 0;

    /// <summary>Scores what is filled in; unanswered items are scored as answered without deduction and listed as missing.</summary>
    /// <param name="overdue">The ledger's count for 每处逾期未整改问题 (<see cref="OverdueCountAsync"/>); 0 when unknown.</param>
    public static Preview Compute(RuleSet rules, SheetForm form, int overdue = 0)
    {
        var answered = form.Entries.Values.Select(e => new ItemEntry(e.ItemCode, e.NotApplicable, e.Count, e.Level, e.FailedSamples, e.Passed,
            e.ZeroConditions is { Count: > 0 } z ? z : null,
            Clauses: e.Clauses is { Count: > 0 } c ? EvaluationMappingProfile.ClauseInputs(c) : null)).ToList();
        var problems = form.Problems.SelectMany(p => p.Value.Select(m => new Problem(p.Key, m))).ToList();
        var validation = ScoringEngine.Validate(rules, new SheetEntries(answered, form.Vetoes));
        var missing = validation.Where(p => p.Kind == EntryProblemKind.MissingRequired && p.ItemCode is not null)
            .Select(p => p.ItemCode!).Distinct().ToList();
        problems.AddRange(validation.Where(p => p.Kind != EntryProblemKind.MissingRequired).Select(p => new Problem(p.ItemCode, p.Message)));
        var items = rules.Items.ToDictionary(i => i.Code);
        var missingList = missing.Where(items.ContainsKey).Select(c => new Missing(c, items[c].Title)).ToList();
        if (problems.Count > 0) return new(null, false, missingList, problems, []);
        // Unanswered items as "no deduction" so that the engine scores the rest; the page says which are still missing.
        var filled = answered.Where(e => !(missing.Contains(e.ItemCode) && items.GetValueOrDefault(e.ItemCode) is ClauseItem))
            .Concat(missing.Where(items.ContainsKey).Select(c => items[c] switch
        {
            LevelsItem l => new ItemEntry(c, Level: l.Levels.OrderBy(x => x.Deduction).First().Code),
            PassFailItem => new ItemEntry(c, Passed: true),
            SampledItem => new ItemEntry(c, FailedSamples: 0),
            ClauseItem ci => new ItemEntry(c, Clauses: BestAnswers(ci, answered.FirstOrDefault(e => e.ItemCode == c)?.Clauses)),
            OverdueProblemsItem => new ItemEntry(c),
            _ => new ItemEntry(c, Count: 0),
        })).ToList();
        var scored = ScoringEngine.Score(rules, new SheetEntries(filled, form.Vetoes) { OverdueProblems = overdue });
        if (scored.Score is not { } score) return new(null, false, missingList, scored.Problems.Select(p => new Problem(p.ItemCode, p.Message)).ToList(), []);
        return new(score.Total, missingList.Count == 0, missingList, [],
            score.Sections.Select(s => new Section(s.Title, s.Score, s.ApplicableMax)).ToList());
    }
}
