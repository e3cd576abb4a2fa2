namespace EnvScore.Spreadsheets.Templates;

/// <summary>Fixed names, rows and words shared by the template writer and reader.</summary>
public static class TemplateConventions
{
    public const string DataSheetName = "评比表";
    public const string InstructionsSheetName = "填表说明";
    public const string MetadataSheetName = "_envscore_meta";
    public const string ListsSheetName = "_envscore_lists";
    public const string FormatVersion = "envscore-template/1";

    public const int TitleRow = 1;
    public const int InfoRow = 2;
    public const int SectionRow = 3;
    public const int ItemTitleRow = 4;
    public const int HowToRow = 5;
    public const int RuleRow = 6;
    /// <summary>Hidden row of machine tokens (item codes …): the reader finds columns by it, wherever they moved.</summary>
    public const int CodeRow = 7;
    public const int FirstDataRow = 8;

    // Column tokens in the code row. Item columns use the item code; zero-if columns "code|zero".
    public const string VillageCodeToken = "village_code";
    public const string VillageNameToken = "village_name";
    public const string TownshipToken = "township_name";
    public const string VetoToken = "veto";
    public const string NoteToken = "note";
    public const string ZeroSuffix = "|zero";

    public static bool IsReservedToken(string code) =>
        code is VillageCodeToken or VillageNameToken or TownshipToken or VetoToken or NoteToken;

    public static string ZeroToken(string itemCode) => itemCode + ZeroSuffix;

    // Visible header texts; the reader's last-resort fallback matches on these.
    public const string VillageCodeHeader = "村（社区）代码";
    public const string VillageNameHeader = "村（社区）名称";
    public const string TownshipHeader = "所属乡镇";
    public const string VetoHeader = "一票否决";
    public const string NoteHeader = "备注";
    public static string ZeroHeader(string itemTitle) => itemTitle + "·不得分情形";

    public const string NotApplicableWord = "不适用";
    public const string PassWord = "合格";
    public const string FailWord = "不合格";
    public const string YesWord = "是";
    public const string NoWord = "否";
}
