using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EnvScore.Api.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class AfterPhotoRounds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "fix_round",
                table: "rectification_photos",
                type: "integer",
                nullable: true);

            // Existing after-photos: the round is 1 + the rejections (audited 复核未通过) before the photo was uploaded;
            // a problem moved without audit rows (the demo ledger) by its own last review: a photo uploaded after it
            // belongs to the next round.
            migrationBuilder.Sql("""
                UPDATE rectification_photos p SET fix_round = 1 + (
                    SELECT count(*) FROM audit_log a
                    WHERE a.action = 'Rectification.Reject' AND a.district_id = r.district_id
                      AND (a.after ->> 'rectificationId')::int = r.id AND a.at < p.uploaded_at)
                FROM rectifications r
                WHERE p.rectification_id = r.id AND p.kind = 'After';
                UPDATE rectification_photos p
                SET fix_round = CASE WHEN r.reviewed_at IS NOT NULL AND p.uploaded_at > r.reviewed_at THEN r.reject_count + 1
                                     ELSE greatest(r.reject_count, 1) END
                FROM rectifications r
                WHERE p.rectification_id = r.id AND p.kind = 'After' AND r.reject_count > 0
                  AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.action = 'Rectification.Reject' AND a.district_id = r.district_id
                                  AND (a.after ->> 'rectificationId')::int = r.id);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "fix_round",
                table: "rectification_photos");
        }
    }
}
