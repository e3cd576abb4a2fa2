using EnvScore.Api.Features.Organisation;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EnvScore.Api.Infrastructure.Data.Configurations;

public class TownshipConfiguration : IEntityTypeConfiguration<Township>
{
    public void Configure(EntityTypeBuilder<Township> b)
    {
        b.Property(x => x.Code).HasMaxLength(12).IsFixedLength();
        b.HasIndex(x => x.Code).IsUnique();
        b.Property(x => x.Name).HasMaxLength(64);
        b.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
        b.HasOne(x => x.District).WithMany(d => d.Townships).HasForeignKey(x => x.DistrictId).OnDelete(DeleteBehavior.Restrict);
    }
}
