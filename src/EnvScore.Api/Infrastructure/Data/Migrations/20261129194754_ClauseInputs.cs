using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EnvScore.Api.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class ClauseInputs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "clauses",
                table: "evaluation_entries",
                type: "jsonb",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "clauses",
                table: "evaluation_entries");
        }
    }
}
