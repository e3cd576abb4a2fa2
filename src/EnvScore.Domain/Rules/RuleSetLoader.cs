using System.Globalization;
using EnvScore.Domain.Calendar;
using EnvScore.Domain.Scoring;
using YamlDotNet.Core;

namespace EnvScore.Domain.Rules;

/// <summary>
/// Parses and validates a rule-set YAML file (format: scoring-rules/README.md). Never throws for a
/// user error: a bad file yields every problem found, each located by line and column.
/// </summary>
public static class RuleSetLoader
{
    /// <summary>What a YAML parser's complaint means for the person who wrote the file, in Chinese (the parser's own text stays in the gloss).</summary>
    internal static string SyntaxHint(string parserMessage)
    {
        var m = parserMessage.ToLowerInvariant();
        return m switch
        {
            _ when m.Contains("expected '-' indicator") => "列表的每一项应以“- ”开头，并与同级的项对齐",
            _ when m.Contains("quoted scalar") || m.Contains("end of stream") => "引号没有成对闭合",
            _ when m.Contains("mapping values are not allowed") => "冒号的位置不对：一行只能写一个“名称: 值”，值里有冒号时请给值加引号",
            _ when m.Contains("did not find expected key") || m.Contains("expected ':'") => "缩进不一致，或“名称: 值”缺少冒号",
            _ when m.Contains("cannot start any token") || m.Contains("tab") => "含有不能出现在这里的字符（如制表符Tab、@或`）：请用空格缩进，或给值加引号",
            _ when m.Contains("duplicate") => "同一层里有重复的名称",
            _ when m.Contains("anchor") || m.Contains("alias") => "不支持锚点（&）与别名（*）",
            _ => "文件不符合YAML格式：请检查该位置及上一行的缩进、冒号和引号",
        };
    }

    public static RuleSetParseResult LoadFile(string path)
    {
        var name = Path.GetFileName(path);
        if (!File.Exists(path))
            return new(null, [new(RuleSetProblemKind.FileNotFound, $"找不到规则文件\"{path}\" (file not found)", name, 0, 0, null)]);
        return Parse(File.ReadAllText(path), name);
    }

    public static RuleSetParseResult Parse(string yaml, string? fileName = null)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var reader = new Reader(fileName);
        YNode? root;
        try
        {
            root = YamlTree.Parse(yaml,
                dup => reader.Report(RuleSetProblemKind.DuplicateKey, dup, null, $"字段\"{dup.Value}\"重复出现", $"duplicate key '{dup.Value}'"),
                key => reader.Report(RuleSetProblemKind.WrongType, key, null, "字段名必须是文本", "a key must be a scalar"));
        }
        catch (YamlException e)
        {
            var p = new RuleSetProblem(RuleSetProblemKind.YamlSyntax,
                $"YAML语法错误：{SyntaxHint(e.Message)} (YAML syntax error: {e.Message.Replace('(', '[').Replace(')', ']')})",
                fileName, checked((int)e.Start.Line), checked((int)e.Start.Column), null);
            return new(null, [p]);
        }
        catch (YamlSyntaxException e)
        {
            return new(null, [new RuleSetProblem(e.Kind, e.Kind == RuleSetProblemKind.YamlSyntax ? $"YAML语法错误：{e.Message}" : e.Message, fileName, e.Line, e.Column, null)]);
        }
        if (root is not YMapping map)
        {
            reader.Report(RuleSetProblemKind.WrongType, root ?? new YScalar("", true, 1, 1), null, "规则文件的顶层必须是键值映射", "the document must be a mapping");
            return new(null, reader.Problems);
        }
        var ruleSet = reader.ReadRuleSet(map);
        return reader.Problems.Count == 0 ? new(ruleSet, []) : new(null, reader.Problems);
    }

    private sealed class Reader(string? file)
    {
        public List<RuleSetProblem> Problems { get; } = [];
        private readonly Dictionary<string, YNode> codes = new(StringComparer.Ordinal);

        public void Report(RuleSetProblemKind kind, YNode at, string? item, string zh, string en) =>
            Problems.Add(new(kind, $"{zh} ({en})", file, at.Line, at.Column, item));

        private static string Num(decimal d) => d.ToString("0.####", CultureInfo.InvariantCulture);

        public RuleSet? ReadRuleSet(YMapping node)
        {
            var m = new Map(this, node, null, "code", "title", "version", "effectiveFrom", "totalPoints", "scale", "sections", "bonus", "vetoes", "tiers", "combination", "missingSheet", "consequences", "rectification");
            var code = m.Text("code");
            var title = m.Text("title");
            var version = m.Int("version", min: 1);
            EvaluationMonth? month = null;
            var monthText = m.Text("effectiveFrom");
            if (monthText is not null)
            {
                if (System.Text.RegularExpressions.Regex.IsMatch(monthText, @"^\d{4}-\d{2}$") && EvaluationMonth.TryParse(monthText, out var parsed)) month = parsed;
                else Report(RuleSetProblemKind.MalformedMonth, m.Get("effectiveFrom")!, null,
                    $"生效月份\"{monthText}\"格式错误，应为\"yyyy-MM\"，如\"2026-01\"", "effectiveFrom must be a month like 2026-01");
            }
            var total = m.Points("totalPoints", positive: true);
            var scale = m.Points("scale", positive: true, required: false);
            var scoreScale = scale ?? total;
            var sections = m.List("sections", ReadSection, required: true);
            var bonus = m.Get("bonus") is { } b ? AsMap(b, null, "cap", "items") is { } bm ? ReadBonus(bm) : null : BonusPolicy.None;
            var vetoes = m.List("vetoes", ReadVeto, required: false) ?? [];
            var tiers = m.Get("tiers") is { } t ? AsMap(t, null, "demonstrationMin", "upgradeMin", "quotas") is { } tm ? ReadTiers(tm, scoreScale) : null : MissingMap<TierPolicy>(m, "tiers");
            var combination = m.Get("combination") is { } c ? AsMap(c, null, "selfWeight", "districtWeight", "inflationThreshold") is { } cm ? ReadCombination(cm) : null : MissingMap<CombinationPolicy>(m, "combination");
            var missing = m.Get("missingSheet") is { } ms ? AsMap(ms, null, "score", "tier") is { } msm ? ReadMissing(msm, scoreScale) : null : new MissingSheetPolicy();
            var consequences = m.Get("consequences") is { } cs ? AsMap(cs, null, "interviewAfterRectifyMonths", "rewardAfterDemonstrationMonths") is { } csm ? ReadConsequences(csm) : null : ConsequencePolicy.None;
            var rectification = m.Get("rectification") is { } rn
                ? AsMap(rn, null, "deadlineDays", "itemDays", "includeSelfEvaluation") is { } rm ? ReadRectification(rm, sections) : null
                : RectificationPolicy.Default;
            m.Done();

            if (sections is not null && total is not null && sections.All(s => s is not null))
            {
                var sum = sections.Sum(s => s!.MaxPoints);
                if (sum != total)
                    Report(RuleSetProblemKind.SectionsDoNotAddUp, m.Get("sections")!, null,
                        $"各部分分值之和为{Num(sum)}分，与总分{Num(total.Value)}分不符", $"sections add up to {Num(sum)}, total is {Num(total.Value)}");
            }
            if (Problems.Count > 0 || code is null || title is null || version is null || month is null || total is null
                || sections is null || bonus is null || tiers is null || combination is null || missing is null || consequences is null || rectification is null
                || sections.Any(s => s is null) || vetoes.Any(v => v is null)) return null;
            return new RuleSet
            {
                Code = code, Title = title, Version = version.Value, EffectiveFrom = month.Value, TotalPoints = total.Value,
                Sections = sections.Select(s => s!).ToArray().AsReadOnly(), Bonus = bonus, Vetoes = vetoes.Select(v => v!).ToArray().AsReadOnly(),
                Tiers = tiers, Combination = combination, MissingSheet = missing, Consequences = consequences, Rectification = rectification,
                Scale = scale == total ? null : scale,
            };
        }

        private T? MissingMap<T>(Map parent, string key) where T : class
        {
            parent.Require(key);
            return null;
        }

        private void Claim(string code, YNode at, string? item)
        {
            if (codes.TryGetValue(code, out var first))
                Report(RuleSetProblemKind.DuplicateCode, at, item ?? code,
                    $"编码\"{code}\"重复（首次出现在第{first.Line}行）", $"duplicate code '{code}', first used on line {first.Line}");
            else codes[code] = at;
        }

        private Map? AsMap(YNode node, string? item, params string[] allowed)
        {
            if (node is YMapping map) return new Map(this, map, item, allowed);
            Report(RuleSetProblemKind.WrongType, node, item, "此处应为键值映射", "expected a mapping");
            return null;
        }

        private Section? ReadSection(YNode node)
        {
            if (AsMap(node, null, "code", "title", "maxPoints", "items", "sections") is not { } m) return null;
            var code = m.Text("code");
            if (code is not null) Claim(code, m.Get("code")!, code);
            var title = m.Text("title");
            var max = m.Points("maxPoints", positive: true);
            var hasChildren = m.Get("sections") is not null;
            if (hasChildren && m.Get("items") is not null)
                Report(RuleSetProblemKind.MixedShape, m.Get("sections")!, code,
                    $"部分\"{title}\"不能同时包含评分项（items）和下级类别（sections），请把评分项放进下级类别", "a section has either items or sub-sections");
            IReadOnlyList<ScoringItem?>? items = [];
            IReadOnlyList<Section?>? children = [];
            if (hasChildren) children = m.List("sections", ReadSection, required: true);
            else items = m.List("items", ReadItem, required: true);
            m.Done();
            var parts = hasChildren ? children?.Select(c => c?.MaxPoints).ToArray() : items?.Select(i => i?.Points).ToArray();
            if (parts is not null && max is not null && parts.All(p => p is not null))
            {
                var sum = parts.Sum(p => p!.Value);
                if (sum != max)
                    Report(RuleSetProblemKind.ItemsDoNotAddUp, m.Get("maxPoints")!, code, hasChildren
                        ? $"类别\"{title}\"各下级类别分值之和为{Num(sum)}分，与该类别分值{Num(max.Value)}分不符"
                        : $"部分\"{title}\"各项分值之和为{Num(sum)}分，与该部分分值{Num(max.Value)}分不符",
                        hasChildren ? $"sub-sections add up to {Num(sum)}, section max is {Num(max.Value)}" : $"items add up to {Num(sum)}, section max is {Num(max.Value)}");
            }
            if (code is null || title is null || max is null || items is null || items.Any(i => i is null) || children is null || children.Any(c => c is null)) return null;
            return new Section
            {
                Code = code, Title = title, MaxPoints = max.Value, Items = items.Select(i => i!).ToArray().AsReadOnly(),
                Sections = children.Select(c => c!).ToArray().AsReadOnly(),
            };
        }

        private static readonly string[] CommonItemFields = ["code", "title", "kind", "points", "mayBeNotApplicable", "zeroIf", "criteria"];
        private static readonly string[] ClauseItemFields = ["code", "title", "points", "mayBeNotApplicable", "zeroIf", "criteria", "clauses", "scoring"];

        private ScoringItem? ReadItem(YNode node)
        {
            if (node is not YMapping raw) { Report(RuleSetProblemKind.WrongType, node, null, "评分项应为键值映射", "an item must be a mapping"); return null; }
            // Read code and kind first so that every later problem can name the item and the allowed fields depend on the kind.
            var codeNode = raw.Entries.FirstOrDefault(e => e.Key.Value == "code").Value as YScalar;
            var itemCode = codeNode is { IsNull: false } ? codeNode.Value : null;
            var kindNode = raw.Entries.FirstOrDefault(e => e.Key.Value == "kind").Value;
            if (raw.Entries.FirstOrDefault(e => e.Key.Value == "clauses").Value is { } clausesNode)
            {
                if (kindNode is not null)
                    Report(RuleSetProblemKind.MixedShape, kindNode, itemCode, "评分项不能同时有\"kind\"和\"clauses\"：有细则（clauses）的评分项不写kind",
                        "an item has either a kind or clauses");
                return ReadClauseItem(raw, itemCode);
            }
            ItemKind? kind = null;
            string[] extra = [];
            if (kindNode is YScalar ks && !ks.IsNull)
            {
                (kind, extra) = ks.Value switch
                {
                    "perOccurrence" => ((ItemKind?)ItemKind.PerOccurrence, new[] { "deductionEach", "unit", "maxDeduction" }),
                    "levels" => (ItemKind.Levels, ["levels"]),
                    "sampled" => (ItemKind.Sampled, ["samples", "deductionEach", "unit"]),
                    "passFail" => (ItemKind.PassFail, ["failDeduction"]),
                    "overdueProblems" => (ItemKind.OverdueProblems, ["deductionEach", "maxDeduction"]),
                    _ => (null, []),
                };
                if (kind is null)
                    Report(RuleSetProblemKind.UnknownKind, ks, itemCode,
                        $"未知的评分项类型\"{ks.Value}\"，应为perOccurrence、levels、sampled、passFail或overdueProblems之一", $"unknown kind '{ks.Value}'");
            }
            // With an unknown kind we cannot tell which fields belong, so we accept every kind's fields.
            if (kindNode is YScalar { IsNull: false } && kind is null)
                extra = ["deductionEach", "unit", "maxDeduction", "levels", "samples", "failDeduction"]; // overdueProblems' fields are among them
            var m = new Map(this, raw, itemCode, [.. CommonItemFields, .. extra]);
            var code = m.Text("code");
            if (code is not null) Claim(code, m.Get("code")!, code);
            var title = m.Text("title");
            m.Text("kind");
            var points = m.Points("points", positive: true);
            var mayBeNa = m.Bool("mayBeNotApplicable") ?? false;
            var conditionCodes = new Dictionary<string, YNode>(StringComparer.Ordinal);
            var zeroIf = m.List("zeroIf", n => ReadCondition(n, code, conditionCodes), required: false) ?? [];
            var criteria = m.OptionalText("criteria");
            ScoringItem? item = null;
            switch (kind)
            {
                case ItemKind.PerOccurrence:
                {
                    var each = m.Points("deductionEach", positive: true);
                    var unit = m.Text("unit");
                    var cap = m.Points("maxDeduction", positive: true, required: false);
                    CheckNotAbove(m, "deductionEach", each, points, code, "每处扣分");
                    CheckNotAbove(m, "maxDeduction", cap, points, code, "最多扣分");
                    if (each is not null && unit is not null && points is not null)
                        item = new PerOccurrenceItem { Code = "", Title = "", Points = 0, DeductionEach = each.Value, Unit = unit, MaxDeduction = cap };
                    break;
                }
                case ItemKind.Sampled:
                {
                    var samples = m.Int("samples", min: 1);
                    var each = m.Points("deductionEach", positive: true);
                    var unit = m.Text("unit");
                    // each × samples may exceed the points (floored at 0, like 扣完为止); one failure may not.
                    CheckNotAbove(m, "deductionEach", each, points, code, "每个样本扣分");
                    if (samples is not null && each is not null && unit is not null)
                        item = new SampledItem { Code = "", Title = "", Points = 0, Samples = samples.Value, DeductionEach = each.Value, Unit = unit };
                    break;
                }
                case ItemKind.Levels:
                {
                    var levelCodes = new Dictionary<string, YNode>(StringComparer.Ordinal);
                    var levels = m.List("levels", n => ReadLevel(n, code, points, levelCodes), required: true);
                    if (levels is not null && levels.All(l => l is not null))
                    {
                        if (levels.Count < 2)
                            Report(RuleSetProblemKind.TooFewLevels, m.Get("levels")!, code, "分档评分项至少需要2个档次", "a levels item needs at least 2 levels");
                        else if (!levels.Any(l => l!.Deduction == 0))
                            Report(RuleSetProblemKind.NoZeroDeductionLevel, m.Get("levels")!, code, "分档评分项必须有一个不扣分（扣0分）的档次", "one level must deduct 0");
                        item = new LevelsItem { Code = "", Title = "", Points = 0, Levels = levels.Select(l => l!).ToArray().AsReadOnly() };
                    }
                    break;
                }
                case ItemKind.PassFail:
                {
                    var fail = m.Points("failDeduction", positive: true, required: false);
                    CheckNotAbove(m, "failDeduction", fail, points, code, "不合格扣分");
                    item = new PassFailItem { Code = "", Title = "", Points = 0, FailDeduction = fail };
                    break;
                }
                case ItemKind.OverdueProblems:
                {
                    var each = m.Points("deductionEach", positive: true);
                    var cap = m.Points("maxDeduction", positive: true, required: false);
                    CheckNotAbove(m, "deductionEach", each, points, code, "每处逾期未整改问题扣分");
                    CheckNotAbove(m, "maxDeduction", cap, points, code, "最多扣分");
                    if (each is not null && points is not null)
                        item = new OverdueProblemsItem { Code = "", Title = "", Points = 0, DeductionEach = each.Value, MaxDeduction = cap };
                    break;
                }
                case null when kindNode is null:
                    Report(RuleSetProblemKind.MissingField, raw, itemCode, "缺少字段\"kind\"（单一评分方式）或\"clauses\"（多条细则）", "missing field 'kind' or 'clauses'");
                    break;
            }
            m.Done();
            if (item is null || code is null || title is null || points is null) return null;
            return item with { Code = code, Title = title, Points = points.Value, MayBeNotApplicable = mayBeNa, ZeroIf = zeroIf.Where(z => z is not null).Select(z => z!).ToArray().AsReadOnly(), Criteria = criteria };
        }

        private ScoringItem? ReadClauseItem(YMapping raw, string? itemCode)
        {
            var m = new Map(this, raw, itemCode, ClauseItemFields);
            var code = m.Text("code");
            if (code is not null) Claim(code, m.Get("code")!, code);
            var title = m.Text("title");
            var points = m.Points("points", positive: true);
            var mayBeNa = m.Bool("mayBeNotApplicable") ?? false;
            var conditionCodes = new Dictionary<string, YNode>(StringComparer.Ordinal);
            var zeroIf = m.List("zeroIf", n => ReadCondition(n, code, conditionCodes), required: false) ?? [];
            var criteria = m.OptionalText("criteria");
            var scoring = ItemScoring.Deduct;
            if (m.OptionalText("scoring") is { } sc)
            {
                if (sc == "add") scoring = ItemScoring.Add;
                else if (sc != "deduct")
                    Report(RuleSetProblemKind.InvalidValue, m.Get("scoring")!, code, $"计分方式\"{sc}\"无效，应为deduct（扣分制）或add（得分制）", "scoring must be deduct or add");
            }
            var clauseCodes = new Dictionary<string, YNode>(StringComparer.Ordinal);
            var clauses = m.List("clauses", n => ReadClause(n, code, points, scoring, clauseCodes), required: true);
            m.Done();
            if (clauses is null || clauses.Any(c => c is null) || code is null || title is null || points is null) return null;
            return new ClauseItem
            {
                Code = code, Title = title, Points = points.Value, MayBeNotApplicable = mayBeNa, Criteria = criteria, ScoredBy = scoring,
                ZeroIf = zeroIf.Where(z => z is not null).Select(z => z!).ToArray().AsReadOnly(),
                Clauses = clauses.Select(c => c!).ToArray().AsReadOnly(),
            };
        }

        private static readonly Dictionary<string, (ClauseKind Kind, string[] Fields)> ClauseKinds = new(StringComparer.Ordinal)
        {
            ["perOccurrence"] = (ClauseKind.PerOccurrence, ["unit", "deductionEach", "maxDeduction"]),
            ["sampled"] = (ClauseKind.Sampled, ["samples", "unit", "deductionEach", "maxDeduction"]),
            ["levels"] = (ClauseKind.Levels, ["levels"]),
            ["passFail"] = (ClauseKind.PassFail, ["failDeduction"]),
            ["deductIf"] = (ClauseKind.DeductIf, ["deduction"]),
            ["addIf"] = (ClauseKind.AddIf, ["addition"]),
            ["addPerUnit"] = (ClauseKind.AddPerUnit, ["unit", "first", "each", "maxAddition"]),
            ["overdueProblems"] = (ClauseKind.OverdueProblems, ["deductionEach", "maxDeduction"]),
            ["rate"] = (ClauseKind.Rate, ["threshold", "direction", "deductionPerPoint", "maxDeduction", "input", "numeratorLabel", "denominatorLabel"]),
        };

        private Clause? ReadClause(YNode node, string? item, decimal? points, ItemScoring scoring, Dictionary<string, YNode> seen)
        {
            if (node is not YMapping raw) { Report(RuleSetProblemKind.WrongType, node, item, "细则应为键值映射", "a clause must be a mapping"); return null; }
            var kindNode = raw.Entries.FirstOrDefault(e => e.Key.Value == "kind").Value as YScalar;
            (ClauseKind Kind, string[] Fields)? kind = null;
            if (kindNode is { IsNull: false })
            {
                if (ClauseKinds.TryGetValue(kindNode.Value, out var k)) kind = k;
                else Report(RuleSetProblemKind.UnknownKind, kindNode, item,
                    $"未知的细则类型\"{kindNode.Value}\"，应为{string.Join("、", ClauseKinds.Keys)}之一", $"unknown clause kind '{kindNode.Value}'");
            }
            string[] fields = kind?.Fields ?? (kindNode is { IsNull: false } ? ClauseKinds.Values.SelectMany(v => v.Fields).Distinct().ToArray() : []);
            var m = new Map(this, raw, item, ["code", "kind", "text", .. fields]);
            var code = m.Text("code");
            if (code is not null) CheckLocalDuplicate(seen, code, m.Get("code")!, item, "细则");
            var text = m.Text("text");
            m.Text("kind");
            Clause? clause = null;
            void NotAbove(string key, decimal? v, string zh) => CheckNotAbove(m, key, v, points, item, zh);
            switch (kind?.Kind)
            {
                case ClauseKind.PerOccurrence:
                {
                    var unit = m.Text("unit");
                    var each = m.Points("deductionEach", positive: true);
                    var cap = m.Points("maxDeduction", positive: true, required: false);
                    NotAbove("deductionEach", each, "每处扣分"); NotAbove("maxDeduction", cap, "最多扣分");
                    if (unit is not null && each is not null)
                        clause = new PerOccurrenceClause { Code = "", Text = "", Unit = unit, DeductionEach = each.Value, MaxDeduction = cap };
                    break;
                }
                case ClauseKind.Sampled:
                {
                    var samples = m.Int("samples", min: 1);
                    var unit = m.Text("unit");
                    var each = m.Points("deductionEach", positive: true);
                    var cap = m.Points("maxDeduction", positive: true, required: false);
                    NotAbove("deductionEach", each, "每个样本扣分"); NotAbove("maxDeduction", cap, "最多扣分");
                    if (samples is not null && unit is not null && each is not null)
                        clause = new SampledClause { Code = "", Text = "", Samples = samples.Value, Unit = unit, DeductionEach = each.Value, MaxDeduction = cap };
                    break;
                }
                case ClauseKind.Levels:
                {
                    var levelCodes = new Dictionary<string, YNode>(StringComparer.Ordinal);
                    var levels = m.List("levels", n => ReadLevel(n, item, points, levelCodes, scoring), required: true);
                    if (levels is not null && levels.All(l => l is not null))
                    {
                        if (levels.Count < 2)
                            Report(RuleSetProblemKind.TooFewLevels, m.Get("levels")!, item, "分档细则至少需要2个档次", "a levels clause needs at least 2 levels");
                        else if (scoring == ItemScoring.Deduct && !levels.Any(l => l!.Deduction == 0))
                            Report(RuleSetProblemKind.NoZeroDeductionLevel, m.Get("levels")!, item, "扣分制的分档细则必须有一个不扣分（扣0分）的档次", "one level must deduct 0");
                        clause = new LevelsClause { Code = "", Text = "", Levels = levels.Select(l => l!).ToArray().AsReadOnly() };
                    }
                    break;
                }
                case ClauseKind.PassFail:
                {
                    var fail = m.Points("failDeduction", positive: true, required: false);
                    NotAbove("failDeduction", fail, "不合格扣分");
                    if (points is not null) clause = new PassFailClause { Code = "", Text = "", FailDeduction = fail ?? points.Value };
                    break;
                }
                case ClauseKind.DeductIf:
                {
                    var d = m.Points("deduction", positive: true);
                    NotAbove("deduction", d, "扣分");
                    if (d is not null) clause = new DeductIfClause { Code = "", Text = "", Deduction = d.Value };
                    break;
                }
                case ClauseKind.AddIf:
                {
                    var a = m.Points("addition", positive: true);
                    NotAbove("addition", a, "加分");
                    if (a is not null) clause = new AddIfClause { Code = "", Text = "", Addition = a.Value };
                    break;
                }
                case ClauseKind.AddPerUnit:
                {
                    var unit = m.Text("unit");
                    var each = m.Points("each", positive: true);
                    var first = m.Points("first", positive: true, required: false);
                    var cap = m.Points("maxAddition", positive: true, required: false);
                    NotAbove("first", first, "首个单位得分"); NotAbove("each", each, "每增加一个单位加分"); NotAbove("maxAddition", cap, "最多加分");
                    if (unit is not null && each is not null)
                        clause = new AddPerUnitClause { Code = "", Text = "", Unit = unit, Each = each.Value, First = first ?? each.Value, MaxAddition = cap };
                    break;
                }
                case ClauseKind.Rate:
                {
                    var threshold = m.Points("threshold", positive: false);
                    if (threshold > 100)
                    {
                        Report(RuleSetProblemKind.RateOutOfRange, m.Get("threshold")!, item, $"达标比例{Num(threshold.Value)}%应在0到100%之间", "a rate threshold must be within 0..100 %");
                        threshold = null;
                    }
                    var per = m.Points("deductionPerPoint", positive: true);
                    var cap = m.Points("maxDeduction", positive: true, required: false);
                    NotAbove("maxDeduction", cap, "最多扣分");
                    var direction = RateDirection.AtLeast;
                    if (m.OptionalText("direction") is { } dir)
                    {
                        if (dir == "atMost") direction = RateDirection.AtMost;
                        else if (dir != "atLeast")
                            Report(RuleSetProblemKind.InvalidValue, m.Get("direction")!, item, $"方向\"{dir}\"无效，应为atLeast（不低于）或atMost（不高于）", "direction must be atLeast or atMost");
                    }
                    var input = RateInput.Percent;
                    if (m.OptionalText("input") is { } inp)
                    {
                        if (inp == "fraction") input = RateInput.Fraction;
                        else if (inp != "percent")
                            Report(RuleSetProblemKind.InvalidValue, m.Get("input")!, item, $"填报方式\"{inp}\"无效，应为percent（百分比）或fraction（分子和分母）", "input must be percent or fraction");
                    }
                    string? num = null, den = null;
                    if (input == RateInput.Fraction) { num = m.Text("numeratorLabel"); den = m.Text("denominatorLabel"); }
                    else { num = m.OptionalText("numeratorLabel"); den = m.OptionalText("denominatorLabel"); }
                    if (threshold is not null && per is not null && (input == RateInput.Percent || (num is not null && den is not null)))
                        clause = new RateClause
                        {
                            Code = "", Text = "", Threshold = threshold.Value, DeductionPerPoint = per.Value, MaxDeduction = cap, Direction = direction,
                            Input = input, NumeratorLabel = num, DenominatorLabel = den,
                        };
                    break;
                }
                case ClauseKind.OverdueProblems:
                {
                    var each = m.Points("deductionEach", positive: true);
                    var cap = m.Points("maxDeduction", positive: true, required: false);
                    NotAbove("deductionEach", each, "每处逾期未整改问题扣分"); NotAbove("maxDeduction", cap, "最多扣分");
                    if (each is not null)
                        clause = new OverdueProblemsClause { Code = "", Text = "", DeductionEach = each.Value, MaxDeduction = cap };
                    break;
                }
                case null when kindNode is null:
                    m.Require("kind");
                    break;
            }
            if (clause is ({ Kind: ClauseKind.AddIf or ClauseKind.AddPerUnit }) && scoring == ItemScoring.Deduct)
                Report(RuleSetProblemKind.InvalidValue, m.Get("kind")!, item,
                    "扣分制评分项（从满分扣起）不能有加分细则：加分的评分项请写scoring: add（得分制，从0分加起）", "an addition clause needs an item with scoring: add");
            m.Done();
            return clause is null || code is null || text is null ? null : clause with { Code = code, Text = text };
        }

        private void CheckNotAbove(Map m, string key, decimal? value, decimal? points, string? item, string zh)
        {
            if (value is not null && points is not null && value > points)
                Report(RuleSetProblemKind.DeductionExceedsPoints, m.Get(key)!, item,
                    $"{zh}{Num(value.Value)}分超过本项分值{Num(points.Value)}分", $"{key} {Num(value.Value)} exceeds the item's points {Num(points.Value)}");
        }

        private NamedCondition? ReadCondition(YNode node, string? item, Dictionary<string, YNode> seen)
        {
            if (AsMap(node, item, "code", "text") is not { } m) return null;
            var code = m.Text("code");
            var text = m.Text("text");
            m.Done();
            if (code is not null) CheckLocalDuplicate(seen, code, m.Get("code")!, item, "不得分条件");
            return code is null || text is null ? null : new NamedCondition(code, text);
        }

        private Level? ReadLevel(YNode node, string? item, decimal? points, Dictionary<string, YNode> seen, ItemScoring scoring = ItemScoring.Deduct)
        {
            var key = scoring == ItemScoring.Add ? "addition" : "deduction";
            if (AsMap(node, item, "code", "name", key) is not { } m) return null;
            var code = m.Text("code");
            var name = m.Text("name");
            var value = m.Points(key, positive: false);
            m.Done();
            if (code is not null) CheckLocalDuplicate(seen, code, m.Get("code")!, item, "档次");
            CheckNotAbove(m, key, value, points, item, scoring == ItemScoring.Add ? $"档次\"{name}\"得分" : $"档次\"{name}\"扣分");
            return code is null || name is null || value is null ? null
                : scoring == ItemScoring.Add ? new Level(code, name, 0, value.Value) : new Level(code, name, value.Value);
        }

        private void CheckLocalDuplicate(Dictionary<string, YNode> seen, string code, YNode at, string? item, string what)
        {
            if (seen.TryGetValue(code, out var first))
                Report(RuleSetProblemKind.DuplicateCode, at, item,
                    $"{what}编码\"{code}\"重复（首次出现在第{first.Line}行）", $"duplicate code '{code}', first used on line {first.Line}");
            else seen[code] = at;
        }

        private BonusPolicy? ReadBonus(Map m)
        {
            var cap = m.Points("cap", positive: false);
            var items = m.List("items", ReadBonusItem, required: false) ?? [];
            m.Done();
            if (cap is null || items.Any(i => i is null)) return null;
            return new BonusPolicy { TotalCap = cap.Value, Items = items.Select(i => i!).ToArray().AsReadOnly() };
        }

        private BonusItem? ReadBonusItem(YNode node)
        {
            var codeNode = node is YMapping raw ? raw.Entries.FirstOrDefault(e => e.Key.Value == "code").Value as YScalar : null;
            if (AsMap(node, codeNode?.Value, "code", "title", "pointsEach", "cap", "criteria") is not { } m) return null;
            var code = m.Text("code");
            if (code is not null) Claim(code, m.Get("code")!, code);
            var title = m.Text("title");
            var each = m.Points("pointsEach", positive: true);
            var cap = m.Points("cap", positive: true, required: false);
            var criteria = m.OptionalText("criteria");
            m.Done();
            return code is null || title is null || each is null ? null : new BonusItem { Code = code, Title = title, PointsEach = each.Value, Cap = cap, Criteria = criteria };
        }

        private VetoRule? ReadVeto(YNode node)
        {
            if (AsMap(node, null, "code", "title") is not { } m) return null;
            var code = m.Text("code");
            if (code is not null) Claim(code, m.Get("code")!, code);
            var title = m.Text("title");
            m.Done();
            return code is null || title is null ? null : new VetoRule(code, title);
        }

        private TierPolicy? ReadTiers(Map m, decimal? total)
        {
            var demo = m.Points("demonstrationMin", positive: true);
            var upgrade = m.Points("upgradeMin", positive: true);
            foreach (var (key, v) in new[] { ("demonstrationMin", demo), ("upgradeMin", upgrade) })
                if (v is not null && total is not null && v > total)
                    Report(RuleSetProblemKind.ThresholdOutOfRange, m.Get(key)!, null, $"等次分数线{Num(v.Value)}分超过总分{Num(total.Value)}分", $"{key} exceeds the total");
            if (demo is not null && upgrade is not null && upgrade >= demo)
                Report(RuleSetProblemKind.ThresholdsOutOfOrder, m.Get("upgradeMin")!, null,
                    $"提升分数线{Num(upgrade.Value)}分应低于示范分数线{Num(demo.Value)}分", "upgradeMin must be below demonstrationMin");
            var policy = demo is null || upgrade is null ? null : new TierPolicy { DemonstrationMin = demo.Value, UpgradeMin = upgrade.Value };
            if (m.Get("quotas") is { } qn && AsMap(qn, null, "scope", "maxDemonstrationPercent", "minRectifyPercent", "redListSize", "blackListSize") is { } q)
            {
                QuotaScope scope = QuotaScope.District;
                var scopeText = q.OptionalText("scope");
                if (scopeText is "township") scope = QuotaScope.Township;
                else if (scopeText is not null and not "district")
                    Report(RuleSetProblemKind.InvalidValue, q.Get("scope")!, null, $"名额范围\"{scopeText}\"无效，应为township或district", "scope must be township or district");
                var maxDemo = Percent(q, "maxDemonstrationPercent");
                var minRect = Percent(q, "minRectifyPercent");
                if (maxDemo + minRect > 100)
                    Report(RuleSetProblemKind.QuotasOverlap, q.Get("minRectifyPercent")!, null,
                        $"示范比例上限{Num(maxDemo!.Value)}%与整治比例下限{Num(minRect!.Value)}%之和超过100%", "the two quotas add up to more than 100 %");
                var red = q.Int("redListSize", min: 0, required: false);
                var black = q.Int("blackListSize", min: 0, required: false);
                q.Done();
                policy = policy is null ? null : policy with { QuotaScope = scope, MaxDemonstrationPercent = maxDemo, MinRectifyPercent = minRect, RedListSize = red, BlackListSize = black };
            }
            m.Done();
            return policy;
        }

        private decimal? Percent(Map m, string key)
        {
            var v = m.Points(key, positive: false, required: false);
            if (v > 100)
            {
                Report(RuleSetProblemKind.PercentOutOfRange, m.Get(key)!, null, $"比例{Num(v.Value)}%超过100%", $"{key} is over 100 %");
                return null;
            }
            return v;
        }

        private CombinationPolicy? ReadCombination(Map m)
        {
            var self = m.Points("selfWeight", positive: false);
            var district = m.Points("districtWeight", positive: false);
            var threshold = m.Points("inflationThreshold", positive: false);
            m.Done();
            var ok = true;
            foreach (var (key, v) in new[] { ("selfWeight", self), ("districtWeight", district) })
                if (v > 1)
                {
                    ok = false;
                    Report(RuleSetProblemKind.WeightOutOfRange, m.Get(key)!, null, $"权重{Num(v.Value)}应在0到1之间", $"{key} must be within 0..1");
                }
            if (ok && self is not null && district is not null && self + district != 1)
                Report(RuleSetProblemKind.WeightsDoNotSumToOne, m.Get("districtWeight")!, null,
                    $"自评权重{Num(self.Value)}与区级抽查权重{Num(district.Value)}之和应为1", "selfWeight + districtWeight must be 1");
            return self is null || district is null || threshold is null ? null
                : new CombinationPolicy { SelfWeight = self.Value, DistrictWeight = district.Value, InflationThreshold = threshold.Value };
        }

        private MissingSheetPolicy? ReadMissing(Map m, decimal? total)
        {
            var score = m.Points("score", positive: false, required: false) ?? 0;
            if (total is not null && score > total)
                Report(RuleSetProblemKind.InvalidValue, m.Get("score")!, null, $"未报送得分{Num(score)}分超过总分", "missing-sheet score exceeds the total");
            var tier = Tier.Rectify;
            if (m.OptionalText("tier") is { } t)
            {
                if (ParseTier(t) is { } parsed) tier = parsed;
                else Report(RuleSetProblemKind.InvalidValue, m.Get("tier")!, null, $"等次\"{t}\"无效，应为示范、提升或整治", "tier must be 示范, 提升 or 整治");
            }
            m.Done();
            return new MissingSheetPolicy { Score = score, Tier = tier };
        }

        private static Tier? ParseTier(string text) => text switch
        {
            "示范" or "demonstration" => Tier.Demonstration,
            "提升" or "upgrade" => Tier.Upgrade,
            "整治" or "rectify" => Tier.Rectify,
            _ => null,
        };

        /// <summary>The <c>rectification</c> block: days ≥ 1 (default and per item; item codes must be items of the sheet), a switch.</summary>
        private RectificationPolicy? ReadRectification(Map m, IReadOnlyList<Section?>? sections)
        {
            var days = m.Int("deadlineDays", min: 1, required: false);
            var self = m.Bool("includeSelfEvaluation");
            var itemDays = new Dictionary<string, int>(StringComparer.Ordinal);
            var ok = true;
            if (m.Get("itemDays") is { } node and not YScalar { IsNull: true })
            {
                if (node is not YMapping map)
                {
                    Report(RuleSetProblemKind.WrongType, node, null, "字段\"itemDays\"应为“评分项编号: 天数”的映射", "'itemDays' must map item codes to days");
                    ok = false;
                }
                else
                {
                    var codes = sections?.Where(s => s is not null).SelectMany(s => s!.AllItems).Select(i => i.Code).ToHashSet(StringComparer.Ordinal);
                    foreach (var entry in map.Entries)
                    {
                        var item = entry.Key.Value;
                        if (codes is not null && !codes.Contains(item))
                        {
                            Report(RuleSetProblemKind.InvalidValue, entry.Key, item, $"整改时限中的评分项\"{item}\"不在本细则中", $"itemDays names an unknown item '{item}'");
                            ok = false;
                        }
                        else if (entry.Value is not YScalar v || !int.TryParse(v.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var d) || d < 1)
                        {
                            Report(RuleSetProblemKind.WrongType, entry.Value, item, $"评分项\"{item}\"的整改天数应为不小于1的整数", $"days for '{item}' must be an integer ≥ 1");
                            ok = false;
                        }
                        else itemDays[item] = d;
                    }
                }
            }
            m.Done();
            if (!ok || (m.Get("deadlineDays") is YScalar { IsNull: false } && days is null)) return null;
            return new RectificationPolicy { DeadlineDays = days ?? RectificationPolicy.Default.DeadlineDays, ItemDays = itemDays, IncludeSelfEvaluation = self ?? false };
        }

        private ConsequencePolicy ReadConsequences(Map m)
        {
            var interview = m.Int("interviewAfterRectifyMonths", min: 1, required: false);
            var reward = m.Int("rewardAfterDemonstrationMonths", min: 1, required: false);
            m.Done();
            return new ConsequencePolicy { InterviewAfterRectifyMonths = interview, RewardAfterDemonstrationMonths = reward };
        }

        /// <summary>Typed access to a mapping that remembers which keys were read, to report unknown ones.</summary>
        private sealed class Map(Reader reader, YMapping node, string? item, params string[] allowed)
        {
            public YNode? Get(string key) => node.Entries.FirstOrDefault(e => e.Key.Value == key).Value;

            public void Require(string key) =>
                reader.Report(RuleSetProblemKind.MissingField, node, item, $"缺少字段\"{key}\"", $"missing field '{key}'");

            private YScalar? Scalar(string key, bool required)
            {
                var v = Get(key);
                if (v is null || v is YScalar { IsNull: true })
                {
                    if (required) Require(key);
                    return null;
                }
                if (v is YScalar s) return s;
                reader.Report(RuleSetProblemKind.WrongType, v, item, $"字段\"{key}\"应为单个值", $"'{key}' must be a scalar");
                return null;
            }

            public string? Text(string key) => Scalar(key, true) is { } s && s.Value.Trim() is { Length: > 0 } t ? t : EmptyText(key);

            private string? EmptyText(string key)
            {
                if (Get(key) is YScalar { IsNull: false } s) reader.Report(RuleSetProblemKind.MissingField, s, item, $"字段\"{key}\"不能为空", $"'{key}' must not be empty");
                return null;
            }

            public string? OptionalText(string key) => Scalar(key, false)?.Value.Trim();

            public bool? Bool(string key)
            {
                if (Scalar(key, false) is not { } s) return null;
                if (s.Value is "true" or "True" or "false" or "False") return s.Value is "true" or "True";
                reader.Report(RuleSetProblemKind.WrongType, s, item, $"字段\"{key}\"应为true或false", $"'{key}' must be true or false");
                return null;
            }

            public int? Int(string key, int min, bool required = true)
            {
                if (Scalar(key, required) is not { } s) return null;
                if (!int.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
                {
                    reader.Report(RuleSetProblemKind.WrongType, s, item, $"字段\"{key}\"应为整数，实际为\"{s.Value}\"", $"'{key}' must be an integer");
                    return null;
                }
                if (v < min)
                {
                    reader.Report(v < 0 ? RuleSetProblemKind.NegativeNumber : RuleSetProblemKind.NotPositive, s, item,
                        $"字段\"{key}\"应不小于{min}，实际为{v}", $"'{key}' must be at least {min}");
                    return null;
                }
                return v;
            }

            /// <summary>A non-negative decimal with at most 2 decimal places (so that all item arithmetic is exact).</summary>
            public decimal? Points(string key, bool positive, bool required = true)
            {
                if (Scalar(key, required) is not { } s) return null;
                if (!decimal.TryParse(s.Value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v))
                {
                    reader.Report(RuleSetProblemKind.WrongType, s, item, $"字段\"{key}\"应为数字，实际为\"{s.Value}\"", $"'{key}' must be a number");
                    return null;
                }
                if (v < 0)
                {
                    reader.Report(RuleSetProblemKind.NegativeNumber, s, item, $"字段\"{key}\"不能为负数，实际为{s.Value}", $"'{key}' must not be negative");
                    return null;
                }
                if (positive && v == 0)
                {
                    reader.Report(RuleSetProblemKind.NotPositive, s, item, $"字段\"{key}\"应大于0", $"'{key}' must be greater than 0");
                    return null;
                }
                if (decimal.Round(v, 2) != v)
                {
                    reader.Report(RuleSetProblemKind.TooManyDecimals, s, item, $"字段\"{key}\"最多保留2位小数，实际为{s.Value}", $"'{key}' may have at most 2 decimal places");
                    return null;
                }
                return v;
            }

            public IReadOnlyList<T?>? List<T>(string key, Func<YNode, T?> read, bool required) where T : class
            {
                var v = Get(key);
                if (v is null || v is YScalar { IsNull: true })
                {
                    if (required) Require(key);
                    return null;
                }
                if (v is not YSequence seq)
                {
                    reader.Report(RuleSetProblemKind.WrongType, v, item, $"字段\"{key}\"应为列表", $"'{key}' must be a list");
                    return null;
                }
                if (required && seq.Items.Count == 0)
                {
                    reader.Report(RuleSetProblemKind.EmptyList, seq, item, $"列表\"{key}\"不能为空", $"'{key}' must not be empty");
                    return null;
                }
                return seq.Items.Select(read).ToArray();
            }

            /// <summary>Reports every key that is not allowed here (typos, or a field of another kind).</summary>
            public void Done()
            {
                foreach (var (k, _) in node.Entries)
                    if (!allowed.Contains(k.Value))
                        reader.Report(RuleSetProblemKind.UnknownField, k, item,
                            $"未知字段\"{k.Value}\"，此处允许的字段为：{string.Join("、", allowed)}", $"unknown field '{k.Value}'");
            }
        }
    }
}
