using EnvScore.Api.Features.Evaluations;
using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Features.Publication;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EnvScore.Api.Infrastructure.Data.Configurations;

// Frozen rows hold copies (codes, names, scores) and no foreign keys to live results, so that nothing a
// recomputation or a rename does can reach them; an update/delete trigger (migration Publication) enforces it.

public class PublicationConfiguration : IEntityTypeConfiguration<Publication>
{
    public void Configure(EntityTypeBuilder<Publication> b)
    {
        b.ToTable("publications");
        b.HasIndex(x => new { x.DistrictId, x.Month }).IsUnique();
        b.Property(x => x.CorrectionReason).HasMaxLength(2000);
        b.Property(x => x.CorrectionOpenedBy).HasMaxLength(256);
        b.HasOne<District>().WithMany().HasForeignKey(x => x.DistrictId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(x => x.Revisions).WithOne().HasForeignKey(x => x.PublicationId).OnDelete(DeleteBehavior.Restrict);
    }
}

public class PublicationRevisionConfiguration : IEntityTypeConfiguration<PublicationRevision>
{
    public void Configure(EntityTypeBuilder<PublicationRevision> b)
    {
        b.ToTable("publication_revisions");
        b.HasIndex(x => new { x.PublicationId, x.Number }).IsUnique();
        b.HasIndex(x => new { x.DistrictId, x.Month });
        b.Property(x => x.Title).HasMaxLength(200);
        b.Property(x => x.Foreword).HasMaxLength(4000);
        b.Property(x => x.Reason).HasMaxLength(2000);
        b.Property(x => x.PublishedBy).HasMaxLength(256);
        b.HasMany(x => x.Villages).WithOne().HasForeignKey(x => x.RevisionId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(x => x.Townships).WithOne().HasForeignKey(x => x.RevisionId).OnDelete(DeleteBehavior.Restrict);
    }
}

public class PublishedVillageResultConfiguration : IEntityTypeConfiguration<PublishedVillageResult>
{
    public void Configure(EntityTypeBuilder<PublishedVillageResult> b)
    {
        b.OwnsMany(x => x.Findings, f => f.ToJson("findings"));
        b.ToTable("published_village_results");
        b.HasKey(x => new { x.RevisionId, x.VillageId });
        b.HasIndex(x => new { x.VillageId, x.Month });
        b.Property(x => x.VillageCode).HasMaxLength(12).IsFixedLength();
        b.Property(x => x.TownshipCode).HasMaxLength(12).IsFixedLength();
        b.Property(x => x.VillageName).HasMaxLength(100);
        b.Property(x => x.TownshipName).HasMaxLength(100);
        foreach (var p in new[] { nameof(PublishedVillageResult.SelfScore), nameof(PublishedVillageResult.DistrictScore), nameof(PublishedVillageResult.FinalScore) })
            b.Property(p).HasPrecision(7, 2);
        b.Property(x => x.Tier).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.TierReason).HasConversion<string>().HasMaxLength(24);
    }
}

public class PublishedTownshipResultConfiguration : IEntityTypeConfiguration<PublishedTownshipResult>
{
    public void Configure(EntityTypeBuilder<PublishedTownshipResult> b)
    {
        b.ToTable("published_township_results");
        b.HasKey(x => new { x.RevisionId, x.TownshipId });
        b.Property(x => x.TownshipCode).HasMaxLength(12).IsFixedLength();
        b.Property(x => x.TownshipName).HasMaxLength(100);
        b.Property(x => x.MeanFinalScore).HasPrecision(7, 2);
    }
}

public class SheetCorrectionConfiguration : IEntityTypeConfiguration<SheetCorrection>
{
    public void Configure(EntityTypeBuilder<SheetCorrection> b)
    {
        b.ToTable("sheet_corrections");
        b.HasIndex(x => x.PublicationId);
        b.Property(x => x.Reason).HasMaxLength(2000);
        b.Property(x => x.CorrectedBy).HasMaxLength(256);
        b.HasOne<Publication>().WithMany().HasForeignKey(x => x.PublicationId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Evaluation>().WithMany().HasForeignKey(x => x.EvaluationId).OnDelete(DeleteBehavior.Restrict);
    }
}
