using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Features.RuleSets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EnvScore.Api.Infrastructure.Data.Configurations;

public class EvaluationConfiguration : IEntityTypeConfiguration<Evaluation>
{
    public void Configure(EntityTypeBuilder<Evaluation> b)
    {
        b.HasIndex(x => new { x.VillageId, x.Month, x.Kind }).IsUnique();
        b.HasIndex(x => new { x.DistrictId, x.Month, x.Kind, x.Status });
        b.HasIndex(x => new { x.TownshipId, x.Month });
        b.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Note).HasMaxLength(2000);
        b.Property(x => x.ReturnReason).HasMaxLength(1000);
        b.Property(x => x.CreatedBy).HasMaxLength(256);
        b.Property(x => x.UpdatedBy).HasMaxLength(256);
        b.Property(x => x.SubmittedBy).HasMaxLength(256);
        b.Property(x => x.Version).IsRowVersion(); // xmin
        b.HasOne<Village>().WithMany().HasForeignKey(x => x.VillageId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Township>().WithMany().HasForeignKey(x => x.TownshipId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<District>().WithMany().HasForeignKey(x => x.DistrictId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<RuleSetRecord>().WithMany().HasForeignKey(x => x.RuleSetId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(x => x.Entries).WithOne().HasForeignKey(x => x.EvaluationId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(x => x.Evidence).WithOne().HasForeignKey(x => x.EvaluationId).OnDelete(DeleteBehavior.Cascade);
    }
}

public class EvaluationEntryConfiguration : IEntityTypeConfiguration<EvaluationEntry>
{
    public void Configure(EntityTypeBuilder<EvaluationEntry> b)
    {
        b.HasIndex(x => new { x.EvaluationId, x.ItemCode }).IsUnique();
        b.Property(x => x.ItemCode).HasMaxLength(32);
        b.Property(x => x.Level).HasMaxLength(32);
        b.Property(x => x.Note).HasMaxLength(1000);
        b.OwnsMany(x => x.Clauses, c => c.ToJson("clauses"));
    }
}

public class EvidenceFileConfiguration : IEntityTypeConfiguration<EvidenceFile>
{
    public void Configure(EntityTypeBuilder<EvidenceFile> b)
    {
        b.ToTable("evidence_files");
        b.Property(x => x.FileName).HasMaxLength(255);
        b.Property(x => x.ContentType).HasMaxLength(64);
        b.Property(x => x.ItemCode).HasMaxLength(32);
        b.Property(x => x.Sha256).HasMaxLength(64);
        b.Property(x => x.UploadedBy).HasMaxLength(256);
        b.HasOne(x => x.Content).WithOne().HasForeignKey<EvidenceContent>(c => c.EvidenceFileId).OnDelete(DeleteBehavior.Cascade);
    }
}

public class EvidenceContentConfiguration : IEntityTypeConfiguration<EvidenceContent>
{
    public void Configure(EntityTypeBuilder<EvidenceContent> b)
    {
        b.ToTable("evidence_contents");
        b.HasKey(x => x.EvidenceFileId);
    }
}

public class MissingSubmissionConfiguration : IEntityTypeConfiguration<MissingSubmission>
{
    public void Configure(EntityTypeBuilder<MissingSubmission> b)
    {
        b.HasIndex(x => new { x.VillageId, x.Month }).IsUnique();
        b.HasIndex(x => new { x.DistrictId, x.Month });
        b.HasOne<Village>().WithMany().HasForeignKey(x => x.VillageId).OnDelete(DeleteBehavior.Restrict);
    }
}
