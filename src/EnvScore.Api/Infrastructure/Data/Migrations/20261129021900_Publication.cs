using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace EnvScore.Api.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class Publication : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "publications",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    district_id = table.Column<int>(type: "integer", nullable: false),
                    month = table.Column<int>(type: "integer", nullable: false),
                    latest_revision = table.Column<int>(type: "integer", nullable: false),
                    correction_open = table.Column<bool>(type: "boolean", nullable: false),
                    correction_reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    correction_opened_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    correction_opened_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_publications", x => x.id);
                    table.ForeignKey(
                        name: "fk_publications_districts_district_id",
                        column: x => x.district_id,
                        principalTable: "districts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "publication_revisions",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    publication_id = table.Column<int>(type: "integer", nullable: false),
                    district_id = table.Column<int>(type: "integer", nullable: false),
                    month = table.Column<int>(type: "integer", nullable: false),
                    number = table.Column<int>(type: "integer", nullable: false),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    date = table.Column<DateOnly>(type: "date", nullable: false),
                    foreword = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    published_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    published_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    computation_run_id = table.Column<int>(type: "integer", nullable: false),
                    rule_set_id = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_publication_revisions", x => x.id);
                    table.ForeignKey(
                        name: "fk_publication_revisions_publications_publication_id",
                        column: x => x.publication_id,
                        principalTable: "publications",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "sheet_corrections",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    publication_id = table.Column<int>(type: "integer", nullable: false),
                    evaluation_id = table.Column<int>(type: "integer", nullable: false),
                    village_id = table.Column<int>(type: "integer", nullable: false),
                    reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    corrected_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    corrected_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sheet_corrections", x => x.id);
                    table.ForeignKey(
                        name: "fk_sheet_corrections_evaluations_evaluation_id",
                        column: x => x.evaluation_id,
                        principalTable: "evaluations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_sheet_corrections_publications_publication_id",
                        column: x => x.publication_id,
                        principalTable: "publications",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "published_township_results",
                columns: table => new
                {
                    revision_id = table.Column<int>(type: "integer", nullable: false),
                    township_id = table.Column<int>(type: "integer", nullable: false),
                    district_id = table.Column<int>(type: "integer", nullable: false),
                    month = table.Column<int>(type: "integer", nullable: false),
                    township_code = table.Column<string>(type: "character(12)", fixedLength: true, maxLength: 12, nullable: false),
                    township_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    village_count = table.Column<int>(type: "integer", nullable: false),
                    submitted_count = table.Column<int>(type: "integer", nullable: false),
                    on_time_count = table.Column<int>(type: "integer", nullable: false),
                    missing_count = table.Column<int>(type: "integer", nullable: false),
                    mean_final_score = table.Column<decimal>(type: "numeric(7,2)", precision: 7, scale: 2, nullable: false),
                    demonstration_count = table.Column<int>(type: "integer", nullable: false),
                    upgrade_count = table.Column<int>(type: "integer", nullable: false),
                    rectify_count = table.Column<int>(type: "integer", nullable: false),
                    rank = table.Column<int>(type: "integer", nullable: false),
                    previous_rank = table.Column<int>(type: "integer", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_published_township_results", x => new { x.revision_id, x.township_id });
                    table.ForeignKey(
                        name: "fk_published_township_results_publication_revisions_revision_id",
                        column: x => x.revision_id,
                        principalTable: "publication_revisions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "published_village_results",
                columns: table => new
                {
                    revision_id = table.Column<int>(type: "integer", nullable: false),
                    village_id = table.Column<int>(type: "integer", nullable: false),
                    district_id = table.Column<int>(type: "integer", nullable: false),
                    month = table.Column<int>(type: "integer", nullable: false),
                    village_code = table.Column<string>(type: "character(12)", fixedLength: true, maxLength: 12, nullable: false),
                    village_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    township_id = table.Column<int>(type: "integer", nullable: false),
                    township_code = table.Column<string>(type: "character(12)", fixedLength: true, maxLength: 12, nullable: false),
                    township_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    self_score = table.Column<decimal>(type: "numeric(7,2)", precision: 7, scale: 2, nullable: true),
                    district_score = table.Column<decimal>(type: "numeric(7,2)", precision: 7, scale: 2, nullable: true),
                    final_score = table.Column<decimal>(type: "numeric(7,2)", precision: 7, scale: 2, nullable: false),
                    vetoed = table.Column<bool>(type: "boolean", nullable: false),
                    veto_codes = table.Column<List<string>>(type: "text[]", nullable: false),
                    tier = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    tier_reason = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    township_rank = table.Column<int>(type: "integer", nullable: false),
                    district_rank = table.Column<int>(type: "integer", nullable: false),
                    previous_district_rank = table.Column<int>(type: "integer", nullable: true),
                    movement = table.Column<int>(type: "integer", nullable: true),
                    consecutive_months_in_tier = table.Column<int>(type: "integer", nullable: false),
                    inflated_flag = table.Column<bool>(type: "boolean", nullable: false),
                    missing_sheet = table.Column<bool>(type: "boolean", nullable: false),
                    interview_flag = table.Column<bool>(type: "boolean", nullable: false),
                    reward_flag = table.Column<bool>(type: "boolean", nullable: false),
                    on_red_list = table.Column<bool>(type: "boolean", nullable: false),
                    on_black_list = table.Column<bool>(type: "boolean", nullable: false),
                    explanation = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_published_village_results", x => new { x.revision_id, x.village_id });
                    table.ForeignKey(
                        name: "fk_published_village_results_publication_revisions_revision_id",
                        column: x => x.revision_id,
                        principalTable: "publication_revisions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_publication_revisions_district_id_month",
                table: "publication_revisions",
                columns: new[] { "district_id", "month" });

            migrationBuilder.CreateIndex(
                name: "ix_publication_revisions_publication_id_number",
                table: "publication_revisions",
                columns: new[] { "publication_id", "number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_publications_district_id_month",
                table: "publications",
                columns: new[] { "district_id", "month" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_published_village_results_village_id_month",
                table: "published_village_results",
                columns: new[] { "village_id", "month" });

            migrationBuilder.CreateIndex(
                name: "ix_sheet_corrections_evaluation_id",
                table: "sheet_corrections",
                column: "evaluation_id");

            migrationBuilder.CreateIndex(
                name: "ix_sheet_corrections_publication_id",
                table: "sheet_corrections",
                column: "publication_id");

            // Published revisions are frozen: their rows can be added, never changed or removed.
            migrationBuilder.Sql("""
                CREATE FUNCTION published_rows_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION '% is frozen once published (已发布的通报不能修改)', TG_TABLE_NAME;
                END $$;
                CREATE TRIGGER publication_revisions_frozen BEFORE UPDATE OR DELETE ON publication_revisions
                    FOR EACH ROW EXECUTE FUNCTION published_rows_frozen();
                CREATE TRIGGER published_village_results_frozen BEFORE UPDATE OR DELETE ON published_village_results
                    FOR EACH ROW EXECUTE FUNCTION published_rows_frozen();
                CREATE TRIGGER published_township_results_frozen BEFORE UPDATE OR DELETE ON published_township_results
                    FOR EACH ROW EXECUTE FUNCTION published_rows_frozen();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS publication_revisions_frozen ON publication_revisions;
                DROP TRIGGER IF EXISTS published_village_results_frozen ON published_village_results;
                DROP TRIGGER IF EXISTS published_township_results_frozen ON published_township_results;
                DROP FUNCTION IF EXISTS published_rows_frozen();
                """);
            migrationBuilder.DropTable(
                name: "published_township_results");

            migrationBuilder.DropTable(
                name: "published_village_results");

            migrationBuilder.DropTable(
                name: "sheet_corrections");

            migrationBuilder.DropTable(
                name: "publication_revisions");

            migrationBuilder.DropTable(
                name: "publications");
        }
    }
}
