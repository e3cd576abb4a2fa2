using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EnvScore.Api.Infrastructure.Data.Migrations
{
    /// <summary>
    /// village_results and village_result_sections keep their relationships in the EF model (navigations,
    /// $expand) but lose the database constraints: they are derived rows written only by the monthly
    /// computation, from a join of existing villages inside its own transaction, and organisation rows are
    /// never deleted (villages are deactivated). At national scale the per-row constraint triggers cost
    /// about a quarter of the computation's write time (docs/performance.md). EF does not need the
    /// constraint to exist (dotnet/efcore#23907; unconstrained relationships are dotnet/efcore#13146), so
    /// the model snapshot still lists the foreign keys and later migrations leave them alone. Without the
    /// cascade, the computation deletes a month's section rows itself before the village rows.
    /// </summary>
    public partial class UnconstrainedVillageResults : Migration
    {
        private static readonly (string Table, string Name)[] Constraints =
        [
            ("village_results", "fk_village_results_computation_runs_computation_run_id"),
            ("village_results", "fk_village_results_districts_district_id"),
            ("village_results", "fk_village_results_townships_township_id"),
            ("village_results", "fk_village_results_villages_village_id"),
            ("village_result_sections", "fk_village_result_sections_village_results_village_id_month"),
        ];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var (table, name) in Constraints)
                migrationBuilder.DropForeignKey(name: name, table: table);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddForeignKey("fk_village_results_computation_runs_computation_run_id", "village_results", "computation_run_id",
                "computation_runs", principalColumn: "id", onDelete: ReferentialAction.Restrict);
            migrationBuilder.AddForeignKey("fk_village_results_districts_district_id", "village_results", "district_id",
                "districts", principalColumn: "id", onDelete: ReferentialAction.Restrict);
            migrationBuilder.AddForeignKey("fk_village_results_townships_township_id", "village_results", "township_id",
                "townships", principalColumn: "id", onDelete: ReferentialAction.Restrict);
            migrationBuilder.AddForeignKey("fk_village_results_villages_village_id", "village_results", "village_id",
                "villages", principalColumn: "id", onDelete: ReferentialAction.Restrict);
            migrationBuilder.AddForeignKey("fk_village_result_sections_village_results_village_id_month", "village_result_sections",
                ["village_id", "month"], "village_results", principalColumns: ["village_id", "month"], onDelete: ReferentialAction.Cascade);
        }
    }
}
