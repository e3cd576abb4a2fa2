using EnvScore.Api.Features.Calendar;
using EnvScore.Api.Features.Organisation;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EnvScore.Api.Infrastructure.Data.Configurations;

public class MonthCalendarConfiguration : IEntityTypeConfiguration<MonthCalendar>
{
    public void Configure(EntityTypeBuilder<MonthCalendar> b)
    {
        b.ToTable("month_calendars");
        b.HasIndex(x => new { x.DistrictId, x.Month }).IsUnique();
        b.HasOne<District>().WithMany().HasForeignKey(x => x.DistrictId).OnDelete(DeleteBehavior.Restrict);
    }
}
