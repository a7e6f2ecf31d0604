using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BTCPayServer.Plugins.Escrow.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AuditProblem : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "AuditProblem",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Contracts",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "AuditProblem",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Contracts");
        }
    }
}
