using EnvScore.Domain.Calendar;
using EnvScore.Domain.Organisation;

namespace EnvScore.Spreadsheets.Templates;

/// <summary>What one input cell of an item holds.</summary>
public enum ItemKind
{
    /// <summary>Whole number ≥ 0 of occurrences found (处/户/条 …).</summary>
    PerOccurrence,
    /// <summary>One of named levels (dropdown of level names; the level code is stored).</summary>
    Levels,
    /// <summary>Number of failed samples, within <see cref="TemplateItem.Bounds"/> (0..SampleSize).</summary>
    Sampled,
    /// <summary>合格 / 不合格.</summary>
    PassFail,
    /// <summary>Number of awards, within <see cref="TemplateItem.Bounds"/> (加分项).</summary>
    Bonus,
    /// <summary>是 / 否: did the condition occur (有…扣N分, 建有…得N分); blank is 否 when <see cref="TemplateItem.BlankMeansZero"/>.</summary>
    YesNo,
    /// <summary>A percentage 0–100 (普及率): 85, "85%", or 0.85 in a cell formatted as a percentage.</summary>
    Percent,
    /// <summary>A number ≥ 0, decimals allowed (户数, 人数: a rate's numerator or denominator).</summary>
    Number,
}

/// <summary>A code with its Chinese display name: a level, a zero-if condition or a veto.</summary>
public sealed record NamedOption(string Code, string Name);

/// <summary>One scored item = one input column (plus a 不得分情形 column when it has zero-if conditions).</summary>
public sealed record TemplateItem
{
    public required string Code { get; init; }
    public required string Title { get; init; }
    public required ItemKind Kind { get; init; }
    public decimal MaxPoints { get; init; }
    /// <summary>处 / 户 / 条 / 次 …; shown in the header and accepted as a suffix on import ("3处").</summary>
    public string? Unit { get; init; }
    /// <summary>What to type, when the kind's own wording does not fit (e.g. "填建成的座数（不小于0的整数）" for a count of things built).</summary>
    public string? HowToText { get; init; }
    /// <summary>The rule in Chinese, e.g. "每发现一处扣1分，共计5分，扣完为止".</summary>
    public string RuleText { get; init; } = "";
    public IReadOnlyList<NamedOption> Levels { get; init; } = [];
    /// <summary>Sampled items: how many are checked (shown in the header text).</summary>
    public int? SampleSize { get; init; }
    /// <summary>
    /// Counting kinds: the allowed whole numbers. The API takes them from
    /// <see cref="EnvScore.Domain.Scoring.InputBounds"/>, the bounds the engine's validator uses, so the
    /// writer's data validation, the reader and the engine never disagree (issue #13, B02 = 3).
    /// </summary>
    public EnvScore.Domain.Scoring.CountBounds Bounds { get; init; } = EnvScore.Domain.Scoring.CountBounds.NonNegative;
    public bool MayBeNotApplicable { get; init; }
    /// <summary>Counting kinds only: a blank cell means 0 instead of "not filled".</summary>
    public bool BlankMeansZero { get; init; }
    /// <summary>此项不得分 conditions; when any, the template gets one extra dropdown column.</summary>
    public IReadOnlyList<NamedOption> ZeroConditions { get; init; } = [];

    internal bool IsCounting => Kind is ItemKind.PerOccurrence or ItemKind.Sampled or ItemKind.Bonus;

    /// <summary>Kinds whose blank cell may mean "nothing found": counts (0) and yes/no (否).</summary>
    internal bool MayBlankMeanNone => IsCounting || Kind == ItemKind.YesNo;

    /// <summary>Upper bound for counting kinds (null = unbounded).</summary>
    internal int? UpperBound => Bounds.Max;
}

public sealed record TemplateSection(string Title, IReadOnlyList<TemplateItem> Items);

/// <summary>Everything the template needs to know about the month's scoring sheet (评分细则).</summary>
public sealed record TemplateLayout
{
    public required string RuleSetCode { get; init; }
    public required int RuleSetVersion { get; init; }
    public required EvaluationMonth Month { get; init; }
    public required string Title { get; init; }
    public required IReadOnlyList<TemplateSection> Sections { get; init; }
    /// <summary>
    /// Columns the template does not offer because nobody enters them (e.g. 每处逾期未整改问题, counted from the
    /// rectification ledger): header text or code-row token → the Chinese reason. A sheet that has such a column anyway
    /// (added by hand) is refused as a whole (<see cref="ImportProblemKind.RefusedColumn"/>), nothing is read.
    /// </summary>
    public IReadOnlyDictionary<string, string> RefusedColumns { get; init; } = new Dictionary<string, string>();
    /// <summary>一票否决 options; when any, the template gets one "一票否决" dropdown column.</summary>
    public IReadOnlyList<NamedOption> Vetoes { get; init; } = [];

    public IEnumerable<TemplateItem> Items => Sections.SelectMany(s => s.Items);

    /// <summary>Throws <see cref="ArgumentException"/> when the layout cannot make a sound template.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(RuleSetCode)) throw new ArgumentException("评分细则代码不能为空 (rule-set code is required)");
        if (Sections.Count == 0 || !Items.Any()) throw new ArgumentException("评分细则至少需要一个项目 (at least one item is required)");
        var codes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in Items)
        {
            var where = $"项目{item.Code}（{item.Title}）";
            if (string.IsNullOrWhiteSpace(item.Code) || item.Code.Trim() != item.Code || item.Code.Contains('|'))
                throw new ArgumentException($"{where}：项目代码不能为空、不能含空格或\"|\" (bad item code)");
            if (TemplateConventions.IsReservedToken(item.Code))
                throw new ArgumentException($"{where}：项目代码与模板保留字冲突 (reserved item code)");
            if (!codes.Add(item.Code)) throw new ArgumentException($"{where}：项目代码重复 (duplicate item code)");
            if (string.IsNullOrWhiteSpace(item.Title)) throw new ArgumentException($"{where}：项目名称不能为空 (title is required)");
            if (item.BlankMeansZero && !item.MayBlankMeanNone)
                throw new ArgumentException($"{where}：只有计数类和是否类项目可以\"空白视为0/否\" (BlankMeansZero is for counting and yes/no kinds only)");
            switch (item.Kind)
            {
                case ItemKind.Levels when item.Levels.Count == 0:
                    throw new ArgumentException($"{where}：档次类项目至少需要一个档次 (levels are required)");
                case ItemKind.Sampled when item.SampleSize is not > 0:
                    throw new ArgumentException($"{where}：抽查类项目需要抽查数量 (sample size is required)");
            }
            CheckOptions(where + "档次", item.Levels);
            CheckOptions(where + "不得分情形", item.ZeroConditions);
        }
        CheckOptions("一票否决", Vetoes);
    }

    private static void CheckOptions(string where, IReadOnlyList<NamedOption> options)
    {
        var codes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var o in options)
        {
            if (string.IsNullOrWhiteSpace(o.Code) || string.IsNullOrWhiteSpace(o.Name))
                throw new ArgumentException($"{where}：代码和名称不能为空 (code and name are required)");
            if (!codes.Add(o.Code) || !names.Add(CellText.Normalize(o.Name) ?? ""))
                throw new ArgumentException($"{where}：\"{o.Name}\"重复 (duplicate option)");
            if (CellText.IsNotApplicableWord(o.Name))
                throw new ArgumentException($"{where}：名称不能是\"不适用\" (reserved name)");
        }
    }
}

public enum TemplateKind
{
    /// <summary>One township's villages (乡镇自评).</summary>
    Township,
    /// <summary>All villages of the district (区级抽查/汇总), with a 所属乡镇 column.</summary>
    District,
}

/// <summary>Which sheet a template fills: the township's self-evaluation or the district's spot-check.</summary>
public enum SheetKind
{
    /// <summary>乡镇自评 (EvaluationKind.Self).</summary>
    SelfEvaluation,
    /// <summary>区级抽查 by a district inspector (EvaluationKind.District): same columns, only the villages checked.</summary>
    SpotCheck,
}

/// <summary>Whose template this is. For a district template the township fields are null.</summary>
public sealed record TemplateScope(
    TemplateKind Kind,
    DivisionCode DistrictCode,
    string DistrictName,
    DivisionCode? TownshipCode = null,
    string? TownshipName = null)
{
    public static TemplateScope ForTownship(DivisionCode districtCode, string districtName, DivisionCode townshipCode, string townshipName) =>
        new(TemplateKind.Township, districtCode, districtName, townshipCode, townshipName);

    public static TemplateScope ForDistrict(DivisionCode districtCode, string districtName) =>
        new(TemplateKind.District, districtCode, districtName);

    /// <summary>Self-evaluation (default) or district spot-check; written to the metadata and checked on import.</summary>
    public SheetKind Sheet { get; init; } = SheetKind.SelfEvaluation;

    internal string SheetName => Sheet == SheetKind.SpotCheck ? "区级抽查表" : "自评表";

    internal void Validate()
    {
        if (Kind == TemplateKind.Township && TownshipCode is null)
            throw new ArgumentException("乡镇模板需要乡镇代码 (a township template needs the township code)");
        if (Kind == TemplateKind.District && TownshipCode is not null)
            throw new ArgumentException("区级模板不应指定乡镇 (a district template has no township)");
    }

    internal string DisplayName => Kind == TemplateKind.Township ? $"{TownshipName}" : DistrictName;
}

/// <summary>The value of one item for one village. Which property is set depends on the item kind.</summary>
public sealed record ItemValue
{
    public bool NotApplicable { get; init; }
    /// <summary>PerOccurrence: occurrences found; Bonus: awards.</summary>
    public int? Count { get; init; }
    public string? LevelCode { get; init; }
    public int? FailedSamples { get; init; }
    public bool? Passed { get; init; }
    /// <summary>YesNo: whether the condition occurred.</summary>
    public bool? Yes { get; init; }
    /// <summary>Percent (0–100) or Number (≥ 0).</summary>
    public decimal? Amount { get; init; }
    /// <summary>The chosen 此项不得分 condition, if any.</summary>
    public string? ZeroConditionCode { get; init; }

    public static ItemValue NotApplicableValue() => new() { NotApplicable = true };
    public static ItemValue Occurrences(int count) => new() { Count = count };
    public static ItemValue Awards(int count) => new() { Count = count };
    public static ItemValue Level(string levelCode) => new() { LevelCode = levelCode };
    public static ItemValue Failed(int failedSamples) => new() { FailedSamples = failedSamples };
    public static ItemValue Pass(bool passed) => new() { Passed = passed };
    public static ItemValue Occurred(bool yes) => new() { Yes = yes };
    public static ItemValue Quantity(decimal amount) => new() { Amount = amount };
    public ItemValue WithZeroCondition(string? conditionCode) => this with { ZeroConditionCode = conditionCode };
}

/// <summary>One village's filled-in sheet: item code → value, plus veto and note.</summary>
public sealed record VillageValues
{
    public IReadOnlyDictionary<string, ItemValue> Items { get; init; } = new Dictionary<string, ItemValue>();
    public string? VetoCode { get; init; }
    public string? Note { get; init; }

    // Value equality over the dictionary, so that prefill → download → upload can be compared whole.
    public bool Equals(VillageValues? other) =>
        other is not null
        && VetoCode == other.VetoCode
        && Note == other.Note
        && Items.Count == other.Items.Count
        && Items.All(kv => other.Items.TryGetValue(kv.Key, out var v) && v == kv.Value);

    public override int GetHashCode() => HashCode.Combine(VetoCode, Note, Items.Count);
}

/// <summary>A village row of the template; <see cref="Prefill"/> is written into the input cells.</summary>
public sealed record TemplateVillage(DivisionCode Code, string Name, string? TownshipName = null, VillageValues? Prefill = null);
