using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EnvScore.Api.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class NestedRuleSetRows : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "depth",
                table: "rule_set_sections",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "parent_code",
                table: "rule_set_sections",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "clauses",
                table: "rule_set_items",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "scoring",
                table: "rule_set_items",
                type: "text",
                nullable: false,
                defaultValue: "");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "depth",
                table: "rule_set_sections");

            migrationBuilder.DropColumn(
                name: "parent_code",
                table: "rule_set_sections");

            migrationBuilder.DropColumn(
                name: "clauses",
                table: "rule_set_items");

            migrationBuilder.DropColumn(
                name: "scoring",
                table: "rule_set_items");
        }
    }
}
