using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BTCPayServer.Plugins.Escrow.Data.Migrations.Sqlite
{
    /// <summary>
    /// The audit table is append-only in the database itself: UPDATE and DELETE of its rows abort. The SQL is written
    /// out here (not shared with code) because a migration is history and must keep doing what it first did.
    /// </summary>
    public partial class AppendOnlyAuditLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TRIGGER "AuditEntries_no_update" BEFORE UPDATE ON "AuditEntries"
                BEGIN
                    SELECT RAISE(ABORT, 'Escrow audit entries are append-only: UPDATE is not allowed.');
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "AuditEntries_no_delete" BEFORE DELETE ON "AuditEntries"
                BEGIN
                    SELECT RAISE(ABORT, 'Escrow audit entries are append-only: DELETE is not allowed.');
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER "AuditEntries_no_delete";""");
            migrationBuilder.Sql("""DROP TRIGGER "AuditEntries_no_update";""");
        }
    }
}
