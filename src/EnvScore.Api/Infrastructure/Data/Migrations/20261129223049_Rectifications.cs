using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace EnvScore.Api.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class Rectifications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "rectifications",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    village_id = table.Column<int>(type: "integer", nullable: false),
                    township_id = table.Column<int>(type: "integer", nullable: false),
                    district_id = table.Column<int>(type: "integer", nullable: false),
                    month = table.Column<int>(type: "integer", nullable: false),
                    rule_set_id = table.Column<int>(type: "integer", nullable: false),
                    item_code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    item_title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    clause_code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    count = table.Column<int>(type: "integer", nullable: true),
                    points = table.Column<decimal>(type: "numeric", nullable: true),
                    description = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    location = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    source = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    evaluation_id = table.Column<int>(type: "integer", nullable: true),
                    state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    found_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    found_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    deadline = table.Column<DateOnly>(type: "date", nullable: false),
                    fixed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    fixed_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    fix_note = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    reviewed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    reviewed_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    review_note = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    reject_count = table.Column<int>(type: "integer", nullable: false),
                    closed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    closed_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_rectifications", x => x.id);
                    table.ForeignKey(
                        name: "fk_rectifications_districts_district_id",
                        column: x => x.district_id,
                        principalTable: "districts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_rectifications_evaluations_evaluation_id",
                        column: x => x.evaluation_id,
                        principalTable: "evaluations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_rectifications_rule_sets_rule_set_id",
                        column: x => x.rule_set_id,
                        principalTable: "rule_sets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_rectifications_townships_township_id",
                        column: x => x.township_id,
                        principalTable: "townships",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_rectifications_villages_village_id",
                        column: x => x.village_id,
                        principalTable: "villages",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "rectification_photos",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    rectification_id = table.Column<int>(type: "integer", nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    file_name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    content_type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    size = table.Column<long>(type: "bigint", nullable: false),
                    sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    captured_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    uploaded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    uploaded_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_rectification_photos", x => x.id);
                    table.ForeignKey(
                        name: "fk_rectification_photos_rectifications_rectification_id",
                        column: x => x.rectification_id,
                        principalTable: "rectifications",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "rectification_photo_contents",
                columns: table => new
                {
                    rectification_photo_id = table.Column<int>(type: "integer", nullable: false),
                    bytes = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_rectification_photo_contents", x => x.rectification_photo_id);
                    table.ForeignKey(
                        name: "fk_rectification_photo_contents_rectification_photos_rectifica",
                        column: x => x.rectification_photo_id,
                        principalTable: "rectification_photos",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_rectification_photos_rectification_id",
                table: "rectification_photos",
                column: "rectification_id");

            migrationBuilder.CreateIndex(
                name: "ix_rectifications_district_id_state_deadline",
                table: "rectifications",
                columns: new[] { "district_id", "state", "deadline" });

            migrationBuilder.CreateIndex(
                name: "ix_rectifications_evaluation_id_item_code",
                table: "rectifications",
                columns: new[] { "evaluation_id", "item_code" },
                unique: true,
                filter: "evaluation_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_rectifications_rule_set_id",
                table: "rectifications",
                column: "rule_set_id");

            migrationBuilder.CreateIndex(
                name: "ix_rectifications_township_id_month",
                table: "rectifications",
                columns: new[] { "township_id", "month" });

            migrationBuilder.CreateIndex(
                name: "ix_rectifications_village_id",
                table: "rectifications",
                column: "village_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "rectification_photo_contents");

            migrationBuilder.DropTable(
                name: "rectification_photos");

            migrationBuilder.DropTable(
                name: "rectifications");
        }
    }
}
