using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Features.RuleSets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EnvScore.Api.Features.Rectifications;

public class RectificationConfiguration : IEntityTypeConfiguration<Rectification>
{
    public void Configure(EntityTypeBuilder<Rectification> b)
    {
        b.ToTable("rectifications");
        b.HasIndex(x => new { x.DistrictId, x.State, x.Deadline });
        b.HasIndex(x => new { x.TownshipId, x.Month });
        // One problem per deduction of a sheet: a recomputation adds what is new and never duplicates.
        b.HasIndex(x => new { x.EvaluationId, x.ItemCode }).IsUnique().HasFilter("evaluation_id IS NOT NULL");
        b.Property(x => x.Source).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.State).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.ItemCode).HasMaxLength(32);
        b.Property(x => x.ItemTitle).HasMaxLength(200);
        b.Property(x => x.ClauseCode).HasMaxLength(32);
        b.Property(x => x.Description).HasMaxLength(RectificationRules.MaxTextLength);
        b.Property(x => x.Location).HasMaxLength(200);
        b.Property(x => x.FoundBy).HasMaxLength(256);
        b.Property(x => x.FixedBy).HasMaxLength(256);
        b.Property(x => x.ReviewedBy).HasMaxLength(256);
        b.Property(x => x.ClosedBy).HasMaxLength(256);
        b.Property(x => x.FixNote).HasMaxLength(RectificationRules.MaxTextLength);
        b.Property(x => x.ReviewNote).HasMaxLength(RectificationRules.MaxTextLength);
        b.Property(x => x.Version).IsRowVersion();
        b.HasOne<Village>().WithMany().HasForeignKey(x => x.VillageId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Township>().WithMany().HasForeignKey(x => x.TownshipId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<District>().WithMany().HasForeignKey(x => x.DistrictId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<RuleSetRecord>().WithMany().HasForeignKey(x => x.RuleSetId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Evaluation>().WithMany().HasForeignKey(x => x.EvaluationId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(x => x.Photos).WithOne().HasForeignKey(x => x.RectificationId).OnDelete(DeleteBehavior.Cascade);
    }
}

public class RectificationPhotoConfiguration : IEntityTypeConfiguration<RectificationPhoto>
{
    public void Configure(EntityTypeBuilder<RectificationPhoto> b)
    {
        b.ToTable("rectification_photos");
        b.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.FileName).HasMaxLength(255);
        b.Property(x => x.ContentType).HasMaxLength(64);
        b.Property(x => x.Sha256).HasMaxLength(64);
        b.Property(x => x.UploadedBy).HasMaxLength(256);
        b.HasOne(x => x.Content).WithOne().HasForeignKey<RectificationPhotoContent>(c => c.RectificationPhotoId).OnDelete(DeleteBehavior.Cascade);
    }
}

public class RectificationPhotoContentConfiguration : IEntityTypeConfiguration<RectificationPhotoContent>
{
    public void Configure(EntityTypeBuilder<RectificationPhotoContent> b)
    {
        b.ToTable("rectification_photo_contents");
        b.HasKey(x => x.RectificationPhotoId);
    }
}
