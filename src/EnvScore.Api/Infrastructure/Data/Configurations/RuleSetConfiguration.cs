using EnvScore.Api.Features.Organisation;
using EnvScore.Api.Features.RuleSets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EnvScore.Api.Infrastructure.Data.Configurations;

public class RuleSetConfiguration : IEntityTypeConfiguration<RuleSetRecord>
{
    public void Configure(EntityTypeBuilder<RuleSetRecord> b)
    {
        b.ToTable("rule_sets");
        b.HasOne<District>().WithMany().HasForeignKey(x => x.DistrictId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.DistrictId, x.Code, x.Version }).IsUnique();
        // At most one active version starts in a given month: month → rule set is unambiguous.
        b.HasIndex(x => new { x.DistrictId, x.EffectiveFromMonth }).IsUnique().HasFilter("status = 'Active'");
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Code).HasMaxLength(32);
        b.Property(x => x.Title).HasMaxLength(200);
        b.Property(x => x.ContentHash).HasMaxLength(64);
        b.Property(x => x.ImportedBy).HasMaxLength(256);
        b.Property(x => x.ActivatedBy).HasMaxLength(256);
        b.Property(x => x.TotalPoints).HasPrecision(9, 2);
        b.Property(x => x.RowVersion).IsRowVersion();
        b.HasMany(x => x.Sections).WithOne().HasForeignKey(x => x.RuleSetId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(x => x.Items).WithOne().HasForeignKey(x => x.RuleSetId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(x => x.Vetoes).WithOne().HasForeignKey(x => x.RuleSetId).OnDelete(DeleteBehavior.Cascade);
    }
}

public class RuleSetSectionRowConfiguration : IEntityTypeConfiguration<RuleSetSectionRow>
{
    public void Configure(EntityTypeBuilder<RuleSetSectionRow> b)
    {
        b.ToTable("rule_set_sections");
        b.Property(x => x.MaxPoints).HasPrecision(9, 2);
    }
}

public class RuleSetItemRowConfiguration : IEntityTypeConfiguration<RuleSetItemRow>
{
    public void Configure(EntityTypeBuilder<RuleSetItemRow> b)
    {
        b.ToTable("rule_set_items");
        b.HasIndex(x => new { x.RuleSetId, x.Code }).IsUnique();
        b.Property(x => x.Points).HasPrecision(9, 2);
        b.Property(x => x.PointsEach).HasPrecision(9, 2);
        b.Property(x => x.MaxDeduction).HasPrecision(9, 2);
    }
}

public class RuleSetVetoRowConfiguration : IEntityTypeConfiguration<RuleSetVetoRow>
{
    public void Configure(EntityTypeBuilder<RuleSetVetoRow> b) => b.ToTable("rule_set_vetoes");
}
