using EnvScore.Api.Features.Organisation;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EnvScore.Api.Infrastructure.Data.Configurations;

public class VillageConfiguration : IEntityTypeConfiguration<Village>
{
    public void Configure(EntityTypeBuilder<Village> b)
    {
        b.Property(x => x.Code).HasMaxLength(12).IsFixedLength();
        b.HasIndex(x => x.Code).IsUnique();
        b.Property(x => x.Name).HasMaxLength(64);
        b.HasOne(x => x.Township).WithMany(t => t.Villages).HasForeignKey(x => x.TownshipId).OnDelete(DeleteBehavior.Restrict);
    }
}
