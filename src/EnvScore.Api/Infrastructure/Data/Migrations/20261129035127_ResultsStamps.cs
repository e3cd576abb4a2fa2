using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EnvScore.Api.Infrastructure.Data.Migrations
{
    /// <summary>
    /// results_stamps: one row per district whose version changes, in the same transaction, with every change of the
    /// district's computed results (village_results, village_result_sections, township_results), whoever writes them.
    /// The API's results cache keys responses by it (Features/Computation/ComputedResultsCachePolicy.cs). Versions come
    /// from a sequence, so a value is never reused. Not part of the EF model: only raw SQL reads it.
    /// </summary>
    public partial class ResultsStamps : Migration
    {
        private static readonly string[] Tables = ["village_results", "township_results", "village_result_sections"];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE SEQUENCE results_stamp_seq;
                CREATE TABLE results_stamps (district_id integer PRIMARY KEY, version bigint NOT NULL);

                -- Statement-level, with transition tables: one upsert per statement, only for the districts it touched
                -- (each once, in id order so that concurrent writers lock stamp rows alike). About 2-3 ms per computed
                -- district-month, most of it the sections lookup (docs/performance.md, section c).
                CREATE FUNCTION results_stamps_bump() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE districts integer[];
                BEGIN
                    IF TG_OP = 'TRUNCATE' THEN
                        UPDATE results_stamps SET version = nextval('results_stamp_seq');
                        RETURN NULL;
                    END IF;
                    IF TG_TABLE_NAME = 'village_result_sections' THEN
                        -- Sections carry no district: their village row's (when a cascade from the village row
                        -- deletes them, the row is gone, and its own delete has changed the stamp).
                        IF TG_OP = 'INSERT' THEN
                            SELECT array_agg(DISTINCT r.district_id) INTO districts
                            FROM (SELECT DISTINCT village_id, month FROM new_rows) c
                            JOIN village_results r ON r.village_id = c.village_id AND r.month = c.month;
                        ELSIF TG_OP = 'DELETE' THEN
                            SELECT array_agg(DISTINCT r.district_id) INTO districts
                            FROM (SELECT DISTINCT village_id, month FROM old_rows) c
                            JOIN village_results r ON r.village_id = c.village_id AND r.month = c.month;
                        ELSE
                            SELECT array_agg(DISTINCT r.district_id) INTO districts
                            FROM (SELECT village_id, month FROM old_rows UNION SELECT village_id, month FROM new_rows) c
                            JOIN village_results r ON r.village_id = c.village_id AND r.month = c.month;
                        END IF;
                    ELSIF TG_OP = 'INSERT' THEN
                        SELECT array_agg(DISTINCT district_id) INTO districts FROM new_rows;
                    ELSIF TG_OP = 'DELETE' THEN
                        SELECT array_agg(DISTINCT district_id) INTO districts FROM old_rows;
                    ELSE
                        SELECT array_agg(DISTINCT district_id) INTO districts
                        FROM (SELECT district_id FROM old_rows UNION ALL SELECT district_id FROM new_rows) x;
                    END IF;
                    IF districts IS NOT NULL THEN
                        -- array_agg(DISTINCT …) is sorted and has no duplicates.
                        INSERT INTO results_stamps AS s (district_id, version)
                        SELECT d, nextval('results_stamp_seq') FROM unnest(districts) AS d
                        ON CONFLICT (district_id) DO UPDATE SET version = excluded.version;
                    END IF;
                    RETURN NULL;
                END $$;
                """);
            foreach (var t in Tables)
                migrationBuilder.Sql($"""
                    CREATE TRIGGER {t}_stamp_ins AFTER INSERT ON {t} REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION results_stamps_bump();
                    CREATE TRIGGER {t}_stamp_upd AFTER UPDATE ON {t} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION results_stamps_bump();
                    CREATE TRIGGER {t}_stamp_del AFTER DELETE ON {t} REFERENCING OLD TABLE AS old_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION results_stamps_bump();
                    CREATE TRIGGER {t}_stamp_trunc AFTER TRUNCATE ON {t}
                        FOR EACH STATEMENT EXECUTE FUNCTION results_stamps_bump();
                    """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var t in Tables)
                migrationBuilder.Sql($"""
                    DROP TRIGGER IF EXISTS {t}_stamp_ins ON {t};
                    DROP TRIGGER IF EXISTS {t}_stamp_upd ON {t};
                    DROP TRIGGER IF EXISTS {t}_stamp_del ON {t};
                    DROP TRIGGER IF EXISTS {t}_stamp_trunc ON {t};
                    """);
            migrationBuilder.Sql("""
                DROP FUNCTION IF EXISTS results_stamps_bump();
                DROP TABLE IF EXISTS results_stamps;
                DROP SEQUENCE IF EXISTS results_stamp_seq;
                """);
        }
    }
}
