using EnvScore.Api.Features.Computation;
using EnvScore.Api.Features.Organisation;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EnvScore.Api.Infrastructure.Data.Configurations;

// Scores are numeric(7,2): every sheet figure is exact in hundredths (docs/scoring-model.md), and the
// computation writes them with SQL, so the column type is the contract.

public class ComputationRunConfiguration : IEntityTypeConfiguration<ComputationRun>
{
    public void Configure(EntityTypeBuilder<ComputationRun> b)
    {
        b.ToTable("computation_runs");
        b.HasIndex(x => new { x.DistrictId, x.Month, x.RequestedAt });
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.RequestedBy).HasMaxLength(256);
        b.Property(x => x.Error).HasMaxLength(4000);
        b.HasOne<District>().WithMany().HasForeignKey(x => x.DistrictId).OnDelete(DeleteBehavior.Restrict);
    }
}

public class VillageResultConfiguration : IEntityTypeConfiguration<VillageResult>
{
    public void Configure(EntityTypeBuilder<VillageResult> b)
    {
        b.OwnsMany(x => x.Findings, f => f.ToJson("findings"));
        b.ToTable("village_results");
        b.HasKey(x => new { x.VillageId, x.Month });
        b.HasIndex(x => new { x.DistrictId, x.Month, x.DistrictRank }).IsUnique();
        b.HasIndex(x => new { x.TownshipId, x.Month, x.TownshipRank }).IsUnique();
        foreach (var p in new[] { nameof(VillageResult.SelfScore), nameof(VillageResult.DistrictScore), nameof(VillageResult.FinalScore), nameof(VillageResult.InflationGap) })
            b.Property(p).HasPrecision(7, 2);
        b.Property(x => x.Tier).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.TierReason).HasConversion<string>().HasMaxLength(24);
        // The relationships below exist in the model only: migration UnconstrainedVillageResults drops their
        // database constraints (derived rows, written in bulk by the computation; docs/performance.md).
        b.HasOne(x => x.Village).WithMany().HasForeignKey(x => x.VillageId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Township>().WithMany().HasForeignKey(x => x.TownshipId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<District>().WithMany().HasForeignKey(x => x.DistrictId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<ComputationRun>().WithMany().HasForeignKey(x => x.ComputationRunId).OnDelete(DeleteBehavior.Restrict);
        // A child table rather than jsonb: section subtotals are filtered and aggregated over OData.
        b.OwnsMany(x => x.Sections, s =>
        {
            s.ToTable("village_result_sections");
            s.WithOwner().HasForeignKey("VillageId", "Month");
            s.HasKey("VillageId", "Month", nameof(VillageResultSection.Ordinal));
            s.Property(x => x.Ordinal).ValueGeneratedNever();
            s.Property(x => x.Code).HasMaxLength(32);
            s.Property(x => x.Title).HasMaxLength(200);
            s.Property(x => x.Max).HasPrecision(7, 2);
            s.Property(x => x.ApplicableMax).HasPrecision(7, 2);
            s.Property(x => x.Deduction).HasPrecision(7, 2);
            s.Property(x => x.Score).HasPrecision(7, 2);
        });
    }
}

public class TownshipResultConfiguration : IEntityTypeConfiguration<TownshipResult>
{
    public void Configure(EntityTypeBuilder<TownshipResult> b)
    {
        b.ToTable("township_results");
        b.HasKey(x => new { x.TownshipId, x.Month });
        b.HasIndex(x => new { x.DistrictId, x.Month, x.Rank }).IsUnique();
        b.Property(x => x.MeanFinalScore).HasPrecision(7, 2);
        b.Property(x => x.MeanInflationGap).HasPrecision(7, 2);
        b.HasOne(x => x.Township).WithMany().HasForeignKey(x => x.TownshipId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<District>().WithMany().HasForeignKey(x => x.DistrictId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<ComputationRun>().WithMany().HasForeignKey(x => x.ComputationRunId).OnDelete(DeleteBehavior.Restrict);
    }
}
