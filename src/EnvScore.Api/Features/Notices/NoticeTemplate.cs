using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EnvScore.Api.Features.Notices;

/// <summary>
/// The words of a district's notice (通报) that are not generated: addressees (主送机关), the opening and closing
/// paragraphs and the signature (落款). Versioned: every save adds version n+1 and nothing is ever updated, so a
/// published notice keeps the words in force when its revision was published (the latest version created
/// before <c>PublishedAt</c>); a preview uses the latest. Placeholders: <c>{月份}</c> → "2026年10月", <c>{区}</c> → the
/// district's name. Without a saved version the district gets <see cref="Default"/> (version 0).
/// </summary>
public class NoticeTemplate
{
    public const int MaxAddressees = 200, MaxParagraph = 2000, MaxSignature = 100;

    public int Id { get; set; }
    public int DistrictId { get; set; }
    /// <summary>1, 2, 3 … per district.</summary>
    public int Version { get; set; }
    public required string Addressees { get; set; }
    public required string Opening { get; set; }
    public required string Closing { get; set; }
    public required string Signature { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string CreatedBy { get; set; }

    /// <summary>The words a district has before it saves its own (version 0, never stored).</summary>
    public static NoticeTemplate Default(int districtId) => new()
    {
        DistrictId = districtId, Version = 0, CreatedBy = "system",
        Addressees = "各乡（镇）党委、政府，各农场、街道办事处，区直有关单位：",
        Opening = "为持续深入推进农村人居环境集中整治，巩固\"治理六乱、开展六清\"成果，按照区级\"月评比\"工作机制，"
            + "区农村人居环境集中整治工作领导小组办公室组织对{月份}份全区各村（社区）农村人居环境整治情况进行了评比。现将评比结果通报如下。",
        Closing = "各乡（镇、农场、街道）要对照本通报反映的问题，逐村建立整改台账，明确责任人和整改时限，于下月评比前整改到位。"
            + "列入黑榜和整治类的村（社区）要深刻反思、举一反三，区里将在下月评比中对整改情况进行重点复查。",
        Signature = "{区}农村人居环境集中整治工作领导小组办公室",
    };

    /// <summary>The text with its placeholders filled in.</summary>
    public static string Fill(string text, string month, string district) => text.Replace("{月份}", month).Replace("{区}", district);
}

public class NoticeTemplateConfiguration : IEntityTypeConfiguration<NoticeTemplate>
{
    public void Configure(EntityTypeBuilder<NoticeTemplate> b)
    {
        b.ToTable("notice_templates");
        b.HasIndex(x => new { x.DistrictId, x.Version }).IsUnique();
        b.Property(x => x.Addressees).HasMaxLength(NoticeTemplate.MaxAddressees);
        b.Property(x => x.Opening).HasMaxLength(NoticeTemplate.MaxParagraph);
        b.Property(x => x.Closing).HasMaxLength(NoticeTemplate.MaxParagraph);
        b.Property(x => x.Signature).HasMaxLength(NoticeTemplate.MaxSignature);
        b.Property(x => x.CreatedBy).HasMaxLength(256);
        b.HasOne<Organisation.District>().WithMany().HasForeignKey(x => x.DistrictId).OnDelete(DeleteBehavior.Restrict);
    }
}
