using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BTCPayServer.Plugins.Escrow.Data.Migrations.Postgres
{
    /// <summary>
    /// The audit table is append-only in the database itself, not only by convention in the code: any UPDATE, DELETE or
    /// TRUNCATE of its rows is rejected. The SQL is written out here (not shared with code) because a migration is
    /// history and must keep doing what it did when it was first applied.
    /// </summary>
    public partial class AppendOnlyAuditLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE FUNCTION "BTCPayServer.Plugins.Escrow"."AuditEntries_reject_change"() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'Escrow audit entries are append-only: % is not allowed.', TG_OP
                        USING ERRCODE = 'restrict_violation';
                END;
                $$;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "AuditEntries_append_only"
                BEFORE UPDATE OR DELETE ON "BTCPayServer.Plugins.Escrow"."AuditEntries"
                FOR EACH ROW EXECUTE FUNCTION "BTCPayServer.Plugins.Escrow"."AuditEntries_reject_change"();
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "AuditEntries_no_truncate"
                BEFORE TRUNCATE ON "BTCPayServer.Plugins.Escrow"."AuditEntries"
                FOR EACH STATEMENT EXECUTE FUNCTION "BTCPayServer.Plugins.Escrow"."AuditEntries_reject_change"();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER "AuditEntries_no_truncate" ON "BTCPayServer.Plugins.Escrow"."AuditEntries";""");
            migrationBuilder.Sql("""DROP TRIGGER "AuditEntries_append_only" ON "BTCPayServer.Plugins.Escrow"."AuditEntries";""");
            migrationBuilder.Sql("""DROP FUNCTION "BTCPayServer.Plugins.Escrow"."AuditEntries_reject_change"();""");
        }
    }
}
