using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EnvScore.Api.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class StructuredFindings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "findings",
                table: "village_results",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "findings",
                table: "published_village_results",
                type: "jsonb",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "findings",
                table: "village_results");

            migrationBuilder.DropColumn(
                name: "findings",
                table: "published_village_results");
        }
    }
}
