using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using DocumentFormat.OpenXml.Wordprocessing;
using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.Publication;
using EnvScore.Domain.Calendar;
using EnvScore.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static EnvScore.Api.Tests.Computation.ComputationData;

namespace EnvScore.Api.Tests.Notices;

/// <summary>
/// The notice (通报) .docx of a small, hand-made district: six villages (two per township), September full marks but
/// one, October 乱堆乱放 (L02, 1 point a 处) found 0…5 times, so October's scores are 100, 99, 98, 97, 96, 95 (mean 97.5)
/// and L02 loses 1+2+3+4+5 = 15 points in five villages. Expected tables are read from the published rows in the
/// database, expected numbers computed here by hand; never by the code under test.
/// </summary>
public sealed class NoticeDocxTests(EnvScoreFactory factory) : IClassFixture<EnvScoreFactory>
{
    private static readonly string[] Active = [Village(0, 0), Village(0, 1), Village(1, 0), Village(1, 1), Village(2, 0), Village(2, 1)];
    private const string Docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    [Fact]
    public async Task The_notice_is_a_valid_docx_with_the_published_rows_its_template_photos_and_corrections_and_LibreOffice_prints_it()
    {
        var (districtId, _, rules) = await ContextAsync(factory);
        await WithDbAsync(factory, db => db.Villages.Where(v => !Active.Contains(v.Code)).ExecuteUpdateAsync(s => s.SetProperty(v => v.IsActive, false)));
        for (var i = 0; i < Active.Length; i++)
        {
            await AddSheetAsync(factory, Active[i], 202609, EvaluationKind.Self, EvaluationStatus.Locked,
                Entries(rules, i == 5 ? [("L02", 2)] : []), new DateTimeOffset(2026, 9, 28, 2, 0, 0, TimeSpan.Zero));
            await AddSheetAsync(factory, Active[i], 202610, EvaluationKind.Self, EvaluationStatus.Locked,
                Entries(rules, [("L02", i)]), new DateTimeOffset(2026, 10, 28, 2, 0, 0, TimeSpan.Zero));
        }
        var photo = Png(64, 48);
        await WithDbAsync(factory, async db =>
        {
            var sheet = await db.Evaluations.SingleAsync(e => e.Month == 202610 && db.Villages.Any(v => v.Id == e.VillageId && v.Code == Active[5]));
            db.EvidenceFiles.Add(new EvidenceFile
            {
                EvaluationId = sheet.Id, ItemCode = "L02", FileName = "柴草堆.png", ContentType = "image/png", Size = photo.Length, Sha256 = "x",
                UploadedAt = factory.Clock.GetUtcNow(), UploadedBy = "test", Content = new EvidenceContent { Bytes = photo },
            });
            return await db.SaveChangesAsync();
        });

        var admin = await factory.ClientForAsync("admin");
        var anonymous = factory.CreateClient();
        var secretary = await factory.ClientForAsync(EnvScoreFactory.Secretary(0));
        var inspector = await factory.ClientForAsync("inspector");

        // The template: only the district admin of the district writes it; bad words are answered by field.
        var words = new { addressees = "各乡镇：", opening = "现将{月份}份评比结果通报如下。", closing = "望各乡镇认真整改。", signature = "{区}人居办" };
        await (await anonymous.PutAsJsonAsync($"/api/notice-templates/{districtId}", words)).ExpectAsync(HttpStatusCode.Unauthorized);
        await (await secretary.PutAsJsonAsync($"/api/notice-templates/{districtId}", words)).ExpectAsync(HttpStatusCode.Forbidden);
        await (await inspector.PutAsJsonAsync($"/api/notice-templates/{districtId}", words)).ExpectAsync(HttpStatusCode.Forbidden);
        await (await admin.PutAsJsonAsync($"/api/notice-templates/{districtId + 1000}", words)).ExpectAsync(HttpStatusCode.Forbidden);
        var bad = await (await admin.PutAsJsonAsync($"/api/notice-templates/{districtId}", new { addressees = "各乡镇：", opening = " ", closing = "{月分}整改", signature = "办" }))
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("开头段落不能为空", bad.GetProperty("errors").GetProperty("opening")[0].GetString());
        Assert.Contains("{月分}", bad.GetProperty("errors").GetProperty("closing")[0].GetString());
        Assert.Equal(0, (await inspector.GetJsonAsync($"/api/notice-templates/{districtId}")).GetProperty("version").GetInt32());
        var v1 = await (await admin.PutAsJsonAsync($"/api/notice-templates/{districtId}", words)).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(1, v1.GetProperty("version").GetInt32());

        // September, then October, computed and published.
        foreach (var month in new[] { "2026-09", "2026-10" })
        {
            factory.Clock.Advance(TimeSpan.FromMinutes(1));
            await ComputeAsync(districtId, month);
            await (await admin.PostAsJsonAsync($"/api/publications/{month}/publish", new { })).ExpectAsync(HttpStatusCode.Created);
        }
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await (await admin.PutAsJsonAsync($"/api/notice-templates/{districtId}", words with { opening = "第二版开头：{月份}。" })).ExpectAsync(HttpStatusCode.Created);

        // Bad requests.
        await (await anonymous.GetAsync($"/api/bulletins/{districtId}/2026-10/1?format=pdf")).ExpectAsync(HttpStatusCode.BadRequest);
        await (await anonymous.GetAsync($"/api/bulletins/{districtId}/2026-10/3?format=docx")).ExpectAsync(HttpStatusCode.NotFound);
        await (await anonymous.GetAsync($"/api/bulletins/{districtId}/2026-10/preview?format=docx")).ExpectAsync(HttpStatusCode.Unauthorized);
        await (await secretary.GetAsync($"/api/bulletins/{districtId}/2026-10/preview?format=docx")).ExpectAsync(HttpStatusCode.Forbidden);

        // Revision 1, read by anyone.
        var response = await anonymous.GetAsync($"/api/bulletins/{districtId}/2026-10/1?format=docx");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Docx, response.Content.Headers.ContentType!.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var rev1 = Read(bytes);
        var published = await WithDbAsync(factory, db => db.PublishedVillageResults.AsNoTracking()
            .Where(v => v.Month == 202610 && db.PublicationRevisions.Any(r => r.Id == v.RevisionId && r.Number == 1)).OrderBy(v => v.DistrictRank).ToListAsync());
        var townships = await WithDbAsync(factory, db => db.PublishedTownshipResults.AsNoTracking()
            .Where(t => t.Month == 202610 && db.PublicationRevisions.Any(r => r.Id == t.RevisionId && r.Number == 1)).OrderBy(t => t.Rank).ToListAsync());
        var september = await WithDbAsync(factory, db => db.PublishedVillageResults.AsNoTracking().Where(v => v.Month == 202609).ToListAsync());

        Assert.True(rev1.Errors.Count == 0, string.Join("\n", rev1.Errors));
        Assert.Equal("关于2026年10月份农村人居环境集中整治月评比结果的通报", rev1.Paragraphs[0]);
        Assert.Equal("各乡镇：", rev1.Paragraphs[1]);
        Assert.Contains("现将2026年10月份评比结果通报如下。", rev1.Paragraphs);           // template version 1, placeholder filled
        Assert.DoesNotContain(rev1.Paragraphs, p => p.StartsWith("第二版开头"));           // version 2 came after the publication
        Assert.Contains("示范区人居办", rev1.Paragraphs);
        Assert.Contains("望各乡镇认真整改。", rev1.Paragraphs);
        Assert.Equal(new[] { 100m, 99m, 98m, 97m, 96m, 95m }, published.Select(v => v.FinalScore));
        int Tiers(IEnumerable<PublishedVillageResult> rows, Domain.Scoring.Tier t) => rows.Count(v => v.Tier == t);
        Assert.Contains($"2026年10月份，全区共评比6个村（社区），平均得分97.5分。其中示范类{Tiers(published, Domain.Scoring.Tier.Demonstration)}个、"
            + $"提升类{Tiers(published, Domain.Scoring.Tier.Upgrade)}个、整治类{Tiers(published, Domain.Scoring.Tier.Rectify)}个。"
            + $"{published.Count(v => v.OnRedList)}个村（社区）列入红榜，{published.Count(v => v.OnBlackList)}个村（社区）列入黑榜。", rev1.Paragraphs);
        Assert.Contains("从扣分情况看，问题主要集中在乱堆乱放（5个村，共扣15分）。", rev1.Paragraphs);
        Assert.Contains(rev1.Paragraphs, p => p.StartsWith($"从乡镇（农场、街道）看，{townships[0].TownshipName}平均得分")
            && p.Contains($"{townships[^1].TownshipName}平均得分{townships[^1].MeanFinalScore.ToString("0.##", CultureInfo.InvariantCulture)}分"));
        // September: 100×5 and 98 → mean 99.67; October 97.5 → down 2.17.
        var up = published.Count(v => v.Tier < september.Single(s => s.VillageId == v.VillageId).Tier);
        var down = published.Count(v => v.Tier > september.Single(s => s.VillageId == v.VillageId).Tier);
        Assert.Contains(rev1.Paragraphs, p => p.StartsWith("与2026年9月份相比，") && p.EndsWith($"全区平均得分下降2.17分；{up}个村（社区）类别上升，{down}个村（社区）类别下降。"));
        Assert.Contains("涉及5个村（社区），共扣15分：" + string.Join("、", published.Skip(1).Select(v => v.TownshipName + v.VillageName)) + "。", rev1.Paragraphs);

        // The district ranking (附件1) row by row, and the township ranking, as published.
        var ranking = rev1.Table("排名", "升降");
        Assert.Equal(published.Select(v => $"{v.DistrictRank}|{v.VillageName}|{v.TownshipName}|{v.FinalScore:0.##}|{Chinese(v.Tier)}"),
            ranking.Skip(1).Select(r => $"{r[0]}|{r[2]}|{r[3]}|{r[4]}|{r[5]}"));
        var townshipTable = rev1.Table("排名", "乡镇（农场、街道）");
        Assert.Equal(townships.Select(t => $"{t.Rank}|{t.TownshipName}|{t.MeanFinalScore:0.##}|{t.VillageCount}|{t.DemonstrationCount}|{t.UpgradeCount}|{t.RectifyCount}"),
            townshipTable.Skip(1).Select(r => string.Join("|", r)));
        var black = published.Where(v => v.OnBlackList).OrderByDescending(v => v.DistrictRank).ToList();
        if (black.Count > 0) Assert.Equal(black.Select(v => v.VillageName), rev1.Tables.Single(t => t[0][^1] == "理由" && t.Skip(1).Any(r => r[0] == black[0].VillageName)).Skip(1).Select(r => r[0]));

        // The photo of the worst village's 乱堆乱放 is in the document, with its caption.
        Assert.Equal(1, rev1.Images);
        Assert.Contains($"{published[^1].VillageName}（自评现场照片）", rev1.Paragraphs);

        // GB/T 9704 page: A4, margins 37/35/28/26 mm, 22 lines; title 方正小标宋简体 2号; body 仿宋_GB2312 3号; page numbers 「— n —」.
        Assert.Equal("11906x16838 2098/1984/1587/1474 579", rev1.Page);
        Assert.Equal(("方正小标宋简体", "44"), rev1.TitleFont);
        Assert.Equal(("仿宋_GB2312", "32"), rev1.DefaultFont);
        Assert.Contains("仿宋", rev1.AltNames);
        Assert.All(rev1.Footers, f => Assert.Equal("— 1 —|PAGE", f));

        // LibreOffice Writer reads and prints it.
        var pdf = LibreOfficeWriter.Convert(bytes, "pdf");
        Assert.Equal("%PDF-", Encoding.ASCII.GetString(pdf, 0, 5));
        Assert.True(CountPages(pdf) >= 3, "the notice, 附件1 and 附件2 each start a page");
        var artifacts = Path.Combine(AppContext.BaseDirectory, "notice-artifacts");
        Directory.CreateDirectory(artifacts);
        await File.WriteAllBytesAsync(Path.Combine(artifacts, "notice-2026-10-r1.docx"), bytes);
        await File.WriteAllBytesAsync(Path.Combine(artifacts, "notice-2026-10-r1.pdf"), pdf);

        // A correction: the first village's sheet had 5 处, not 0 → 95; revision 2 says what changed and why.
        await (await admin.PostAsJsonAsync("/api/publications/2026-10/corrections", new { reason = "水稻乡反映第一村乱堆乱放处数录入有误" })).ExpectAsync(HttpStatusCode.OK);
        var id = await WithDbAsync(factory, db => db.Evaluations.Where(e => e.Month == 202610 && db.Villages.Any(v => v.Id == e.VillageId && v.Code == Active[0]))
            .Select(e => e.Id).SingleAsync());
        var etag = (await admin.GetAsync($"/odata/Evaluations({id})")).Headers.ETag!.ToString();
        var put = new HttpRequestMessage(HttpMethod.Put, $"/api/publications/sheets/{id}")
        {
            Content = JsonContent.Create(new { reason = "核实为5处", entries = Entries(rules, [("L02", 5)]).Select(e => new { e.ItemCode, e.Count, e.Level, e.Passed }) }),
        };
        put.Headers.TryAddWithoutValidation("If-Match", etag);
        await (await admin.SendAsync(put)).ExpectAsync(HttpStatusCode.OK);
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await ComputeAsync(districtId, "2026-10");

        var preview = Read(await (await admin.GetAsync($"/api/bulletins/{districtId}/2026-10/preview?format=docx")).ReadBytesAsync());
        Assert.True(preview.Errors.Count == 0, string.Join("\n", preview.Errors));
        Assert.Equal("【审核预览·未发布，不得对外公开】", preview.Paragraphs[0]);
        Assert.Contains("第二版开头：2026年10月。", preview.Paragraphs);                  // the latest template
        Assert.Contains(preview.Paragraphs, p => p.Contains("替代第1版。更正原因：水稻乡反映第一村乱堆乱放处数录入有误"));

        await (await admin.PostAsJsonAsync("/api/publications/2026-10/publish", new { })).ExpectAsync(HttpStatusCode.Created);
        var rev2 = Read(await (await anonymous.GetAsync($"/api/bulletins/{districtId}/2026-10/2?format=docx")).ReadBytesAsync());
        Assert.True(rev2.Errors.Count == 0, string.Join("\n", rev2.Errors));
        Assert.Equal("（第2版·更正）", rev2.Paragraphs[1]);
        Assert.Contains("本通报为第2版，替代第1版。更正原因：水稻乡反映第一村乱堆乱放处数录入有误", rev2.Paragraphs);
        var first = published[0];
        Assert.Contains($"更正的评分表：{first.VillageName}：核实为5处。", rev2.Paragraphs);
        var now = await WithDbAsync(factory, db => db.PublishedVillageResults.AsNoTracking()
            .SingleAsync(v => v.VillageId == first.VillageId && db.PublicationRevisions.Any(r => r.Id == v.RevisionId && r.Number == 2 && r.Month == 202610)));
        var changes = rev2.Table("村（社区）", "乡镇", "原得分");
        var change = Assert.Single(changes.Skip(1), r => r[0] == first.VillageName);
        Assert.Equal($"{first.VillageName}|{first.TownshipName}|100|95|{Chinese(first.Tier)}|{Chinese(now.Tier)}|1|{now.DistrictRank}", string.Join("|", change));
        // Rev 1 is unchanged by the correction.
        Assert.Equal(rev1.Paragraphs, Read(await (await anonymous.GetAsync($"/api/bulletins/{districtId}/2026-10/1?format=docx")).ReadBytesAsync()).Paragraphs);
    }

    private async Task ComputeAsync(int districtId, string month)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var outcome = Assert.IsType<ComputationOutcome.Completed>(await scope.ServiceProvider.GetRequiredService<MonthlyComputation>()
            .RunAsync(districtId, EvaluationMonth.Parse(month), "test"));
        Assert.Equal(ComputationStatus.Succeeded, outcome.Run.Status);
    }

    private static string Chinese(Domain.Scoring.Tier tier) => tier switch
    {
        Domain.Scoring.Tier.Demonstration => "示范", Domain.Scoring.Tier.Upgrade => "提升", _ => "整治",
    };

    private static int CountPages(byte[] pdf) =>
        System.Text.RegularExpressions.Regex.Matches(Encoding.Latin1.GetString(pdf), @"/Type\s*/Page[^s]").Count;

    /// <summary>What a reader of the .docx sees, read with the Open XML SDK (not with the product's writer).</summary>
    private sealed record DocxView(List<string> Paragraphs, List<List<string[]>> Tables, List<string> Errors, int Images, string Page,
        (string?, string?) TitleFont, (string?, string?) DefaultFont, List<string> AltNames, List<string> Footers)
    {
        public List<string[]> Table(params string[] headerStart) =>
            Tables.Single(t => t[0].Take(headerStart.Length).SequenceEqual(headerStart));
    }

    private static DocxView Read(byte[] bytes)
    {
        using var doc = WordprocessingDocument.Open(new MemoryStream(bytes), false);
        var errors = new OpenXmlValidator(DocumentFormat.OpenXml.FileFormatVersions.Office2019).Validate(doc)
            .Select(e => $"{e.Path?.XPath}: {e.Description}").ToList();
        var body = doc.MainDocumentPart!.Document.Body!;
        var paragraphs = body.Elements<Paragraph>().Select(p => p.InnerText).Where(t => t.Length > 0).ToList();
        var tables = body.Elements<Table>().Select(t => t.Elements<TableRow>().Select(r => r.Elements<TableCell>().Select(c => c.InnerText).ToArray()).ToList()).ToList();
        var section = body.Elements<SectionProperties>().Single();
        var size = section.GetFirstChild<PageSize>()!;
        var margin = section.GetFirstChild<PageMargin>()!;
        var grid = section.GetFirstChild<DocGrid>()!;
        var titleRun = body.Elements<Paragraph>().First().Descendants<Run>().First().RunProperties!;
        var defaults = doc.MainDocumentPart.StyleDefinitionsPart!.Styles!.DocDefaults!.RunPropertiesDefault!.RunPropertiesBaseStyle!;
        var footers = doc.MainDocumentPart.FooterParts.Select(f => f.Footer.InnerText + "|" + string.Join(",", f.Footer.Descendants<SimpleField>().Select(s => s.Instruction!.Value!.Trim()))).ToList();
        return new DocxView(paragraphs, tables, errors, doc.MainDocumentPart.ImageParts.Count(),
            $"{size.Width!.Value}x{size.Height!.Value} {margin.Top!.Value}/{margin.Bottom!.Value}/{margin.Left!.Value}/{margin.Right!.Value} {grid.LinePitch!.Value}",
            (titleRun.RunFonts?.EastAsia?.Value, titleRun.FontSize?.Val?.Value), (defaults.RunFonts?.EastAsia?.Value, defaults.FontSize?.Val?.Value),
            doc.MainDocumentPart.FontTablePart!.Fonts.Elements<Font>().Select(f => f.AltName?.Val?.Value).OfType<string>().ToList(), footers);
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>A solid PNG made here (IHDR, one IDAT, IEND), so the photo comes from outside the product.</summary>
    private static byte[] Png(int width, int height)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        void Chunk(string type, byte[] data)
        {
            var len = BitConverter.GetBytes(data.Length); Array.Reverse(len); ms.Write(len);
            var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
            ms.Write(typed);
            var crc = BitConverter.GetBytes(Crc32(typed)); Array.Reverse(crc); ms.Write(crc);
        }
        var ihdr = new byte[13];
        BitConverter.GetBytes(width).Reverse().ToArray().CopyTo(ihdr, 0);
        BitConverter.GetBytes(height).Reverse().ToArray().CopyTo(ihdr, 4);
        ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
        Chunk("IHDR", ihdr);
        var raw = new MemoryStream();
        for (var y = 0; y < height; y++) { raw.WriteByte(0); for (var x = 0; x < width; x++) raw.Write([(byte)(120 + y), 90, (byte)(40 + x)]); }
        using (var z = new MemoryStream())
        {
            using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true)) zs.Write(raw.ToArray());
            Chunk("IDAT", z.ToArray());
        }
        Chunk("IEND", []);
        return ms.ToArray();
    }
}

internal static class NoticeHttp
{
    public static async Task<byte[]> ReadBytesAsync(this HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode) Assert.Fail($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadAsByteArrayAsync();
    }
}
