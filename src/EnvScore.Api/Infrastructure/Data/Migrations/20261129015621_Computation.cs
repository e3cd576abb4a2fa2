using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace EnvScore.Api.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class Computation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Quartz's job store (AdoJobStore, clustered) lives in the same database; its 4.x schema is the
            // script embedded in Quartz.dll, committed as a resource so that the schema is versioned with ours.
            foreach (var statement in Scheduling.QuartzSchema.Statements())
                migrationBuilder.Sql(statement);

            migrationBuilder.CreateTable(
                name: "computation_runs",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    district_id = table.Column<int>(type: "integer", nullable: false),
                    month = table.Column<int>(type: "integer", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    requested_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    requested_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    village_count = table.Column<int>(type: "integer", nullable: true),
                    missing_count = table.Column<int>(type: "integer", nullable: true),
                    error = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_computation_runs", x => x.id);
                    table.ForeignKey(
                        name: "fk_computation_runs_districts_district_id",
                        column: x => x.district_id,
                        principalTable: "districts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "township_results",
                columns: table => new
                {
                    township_id = table.Column<int>(type: "integer", nullable: false),
                    month = table.Column<int>(type: "integer", nullable: false),
                    district_id = table.Column<int>(type: "integer", nullable: false),
                    village_count = table.Column<int>(type: "integer", nullable: false),
                    submitted_count = table.Column<int>(type: "integer", nullable: false),
                    on_time_count = table.Column<int>(type: "integer", nullable: false),
                    missing_count = table.Column<int>(type: "integer", nullable: false),
                    mean_final_score = table.Column<decimal>(type: "numeric(7,2)", precision: 7, scale: 2, nullable: false),
                    demonstration_count = table.Column<int>(type: "integer", nullable: false),
                    upgrade_count = table.Column<int>(type: "integer", nullable: false),
                    rectify_count = table.Column<int>(type: "integer", nullable: false),
                    mean_inflation_gap = table.Column<decimal>(type: "numeric(7,2)", precision: 7, scale: 2, nullable: true),
                    rank = table.Column<int>(type: "integer", nullable: false),
                    computation_run_id = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_township_results", x => new { x.township_id, x.month });
                    table.ForeignKey(
                        name: "fk_township_results_computation_runs_computation_run_id",
                        column: x => x.computation_run_id,
                        principalTable: "computation_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_township_results_districts_district_id",
                        column: x => x.district_id,
                        principalTable: "districts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_township_results_townships_township_id",
                        column: x => x.township_id,
                        principalTable: "townships",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "village_results",
                columns: table => new
                {
                    village_id = table.Column<int>(type: "integer", nullable: false),
                    month = table.Column<int>(type: "integer", nullable: false),
                    district_id = table.Column<int>(type: "integer", nullable: false),
                    township_id = table.Column<int>(type: "integer", nullable: false),
                    rule_set_id = table.Column<int>(type: "integer", nullable: false),
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
                    inflation_gap = table.Column<decimal>(type: "numeric(7,2)", precision: 7, scale: 2, nullable: true),
                    inflated_flag = table.Column<bool>(type: "boolean", nullable: false),
                    missing_sheet = table.Column<bool>(type: "boolean", nullable: false),
                    interview_flag = table.Column<bool>(type: "boolean", nullable: false),
                    reward_flag = table.Column<bool>(type: "boolean", nullable: false),
                    on_red_list = table.Column<bool>(type: "boolean", nullable: false),
                    on_black_list = table.Column<bool>(type: "boolean", nullable: false),
                    explanation = table.Column<string>(type: "text", nullable: false),
                    computation_run_id = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_village_results", x => new { x.village_id, x.month });
                    table.ForeignKey(
                        name: "fk_village_results_computation_runs_computation_run_id",
                        column: x => x.computation_run_id,
                        principalTable: "computation_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_village_results_districts_district_id",
                        column: x => x.district_id,
                        principalTable: "districts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_village_results_townships_township_id",
                        column: x => x.township_id,
                        principalTable: "townships",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_village_results_villages_village_id",
                        column: x => x.village_id,
                        principalTable: "villages",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "village_result_sections",
                columns: table => new
                {
                    ordinal = table.Column<int>(type: "integer", nullable: false),
                    village_id = table.Column<int>(type: "integer", nullable: false),
                    month = table.Column<int>(type: "integer", nullable: false),
                    code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    max = table.Column<decimal>(type: "numeric(7,2)", precision: 7, scale: 2, nullable: false),
                    applicable_max = table.Column<decimal>(type: "numeric(7,2)", precision: 7, scale: 2, nullable: false),
                    deduction = table.Column<decimal>(type: "numeric(7,2)", precision: 7, scale: 2, nullable: false),
                    score = table.Column<decimal>(type: "numeric(7,2)", precision: 7, scale: 2, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_village_result_sections", x => new { x.village_id, x.month, x.ordinal });
                    table.ForeignKey(
                        name: "fk_village_result_sections_village_results_village_id_month",
                        columns: x => new { x.village_id, x.month },
                        principalTable: "village_results",
                        principalColumns: new[] { "village_id", "month" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_computation_runs_district_id_month_requested_at",
                table: "computation_runs",
                columns: new[] { "district_id", "month", "requested_at" });

            migrationBuilder.CreateIndex(
                name: "ix_township_results_computation_run_id",
                table: "township_results",
                column: "computation_run_id");

            migrationBuilder.CreateIndex(
                name: "ix_township_results_district_id_month_rank",
                table: "township_results",
                columns: new[] { "district_id", "month", "rank" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_village_results_computation_run_id",
                table: "village_results",
                column: "computation_run_id");

            migrationBuilder.CreateIndex(
                name: "ix_village_results_district_id_month_district_rank",
                table: "village_results",
                columns: new[] { "district_id", "month", "district_rank" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_village_results_township_id_month_township_rank",
                table: "village_results",
                columns: new[] { "township_id", "month", "township_rank" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in Scheduling.QuartzSchema.Tables.Reverse())
                migrationBuilder.Sql($"DROP TABLE IF EXISTS {table} CASCADE;");

            migrationBuilder.DropTable(
                name: "township_results");

            migrationBuilder.DropTable(
                name: "village_result_sections");

            migrationBuilder.DropTable(
                name: "village_results");

            migrationBuilder.DropTable(
                name: "computation_runs");
        }
    }
}
