using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace EnvScore.Api.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class RuleSets : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "rule_sets",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    district_id = table.Column<int>(type: "integer", nullable: false),
                    code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    total_points = table.Column<decimal>(type: "numeric(9,2)", precision: 9, scale: 2, nullable: false),
                    effective_from_month = table.Column<int>(type: "integer", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    source = table.Column<string>(type: "text", nullable: false),
                    content_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    imported_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    imported_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    activated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    activated_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_rule_sets", x => x.id);
                    table.ForeignKey(
                        name: "fk_rule_sets_districts_district_id",
                        column: x => x.district_id,
                        principalTable: "districts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "rule_set_items",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    rule_set_id = table.Column<int>(type: "integer", nullable: false),
                    ordinal = table.Column<int>(type: "integer", nullable: false),
                    section_code = table.Column<string>(type: "text", nullable: true),
                    code = table.Column<string>(type: "text", nullable: false),
                    title = table.Column<string>(type: "text", nullable: false),
                    kind = table.Column<string>(type: "text", nullable: false),
                    points = table.Column<decimal>(type: "numeric(9,2)", precision: 9, scale: 2, nullable: false),
                    unit = table.Column<string>(type: "text", nullable: true),
                    points_each = table.Column<decimal>(type: "numeric(9,2)", precision: 9, scale: 2, nullable: true),
                    max_deduction = table.Column<decimal>(type: "numeric(9,2)", precision: 9, scale: 2, nullable: true),
                    samples = table.Column<int>(type: "integer", nullable: true),
                    may_be_not_applicable = table.Column<bool>(type: "boolean", nullable: false),
                    levels = table.Column<string>(type: "text", nullable: true),
                    zero_if = table.Column<string>(type: "text", nullable: true),
                    criteria = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_rule_set_items", x => x.id);
                    table.ForeignKey(
                        name: "fk_rule_set_items_rule_sets_rule_set_id",
                        column: x => x.rule_set_id,
                        principalTable: "rule_sets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "rule_set_sections",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    rule_set_id = table.Column<int>(type: "integer", nullable: false),
                    ordinal = table.Column<int>(type: "integer", nullable: false),
                    code = table.Column<string>(type: "text", nullable: false),
                    title = table.Column<string>(type: "text", nullable: false),
                    max_points = table.Column<decimal>(type: "numeric(9,2)", precision: 9, scale: 2, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_rule_set_sections", x => x.id);
                    table.ForeignKey(
                        name: "fk_rule_set_sections_rule_sets_rule_set_id",
                        column: x => x.rule_set_id,
                        principalTable: "rule_sets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "rule_set_vetoes",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    rule_set_id = table.Column<int>(type: "integer", nullable: false),
                    code = table.Column<string>(type: "text", nullable: false),
                    title = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_rule_set_vetoes", x => x.id);
                    table.ForeignKey(
                        name: "fk_rule_set_vetoes_rule_sets_rule_set_id",
                        column: x => x.rule_set_id,
                        principalTable: "rule_sets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_rule_set_items_rule_set_id_code",
                table: "rule_set_items",
                columns: new[] { "rule_set_id", "code" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_rule_set_sections_rule_set_id",
                table: "rule_set_sections",
                column: "rule_set_id");

            migrationBuilder.CreateIndex(
                name: "ix_rule_set_vetoes_rule_set_id",
                table: "rule_set_vetoes",
                column: "rule_set_id");

            migrationBuilder.CreateIndex(
                name: "ix_rule_sets_district_id_code_version",
                table: "rule_sets",
                columns: new[] { "district_id", "code", "version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_rule_sets_district_id_effective_from_month",
                table: "rule_sets",
                columns: new[] { "district_id", "effective_from_month" },
                unique: true,
                filter: "status = 'Active'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "rule_set_items");

            migrationBuilder.DropTable(
                name: "rule_set_sections");

            migrationBuilder.DropTable(
                name: "rule_set_vetoes");

            migrationBuilder.DropTable(
                name: "rule_sets");
        }
    }
}
