using System.Net.Http.Headers;
using EnvScore.Api.Features.RuleSets;
using EnvScore.Domain.Rules;
using EnvScore.Spreadsheets.Templates;
using OfficeOpenXml;

namespace EnvScore.Faults.Tests;

/// <summary>Spreadsheets as a secretary fills them: the downloaded template with every village clean (full marks, 100).</summary>
internal static class SheetFiles
{
    private static readonly RuleSet Rules = RuleSetLoader.Parse(DefaultRuleSet.Yaml).RuleSet!;

    /// <summary>The downloaded template with every village filled in clean (as a secretary would, in the data sheet).</summary>
    public static byte[] FillClean(byte[] template)
    {
        using var package = new ExcelPackage(new MemoryStream(template));
        var sheet = package.Workbook.Worksheets[TemplateConventions.DataSheetName];
        var columns = Enumerable.Range(1, sheet.Dimension.End.Column)
            .Where(c => sheet.Cells[TemplateConventions.CodeRow, c].Text.Length > 0)
            .ToDictionary(c => sheet.Cells[TemplateConventions.CodeRow, c].Text, c => c);
        for (var row = TemplateConventions.FirstDataRow; row <= sheet.Dimension.End.Row; row++)
        {
            if (sheet.Cells[row, columns[TemplateConventions.VillageCodeToken]].Text.Length == 0) continue;
            foreach (var item in Rules.Items)
                sheet.Cells[row, columns[item.Code]].Value = item switch
                {
                    LevelsItem l => l.Levels.First(v => v.Deduction == 0).Name,
                    PassFailItem => TemplateConventions.PassWord,
                    _ => (object)0,
                };
        }
        using var output = new MemoryStream();
        package.SaveAs(output);
        return output.ToArray();
    }

    public static MultipartFormDataContent Upload(byte[] bytes)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        return new MultipartFormDataContent { { file, "file", "自评表.xlsx" } };
    }
}
