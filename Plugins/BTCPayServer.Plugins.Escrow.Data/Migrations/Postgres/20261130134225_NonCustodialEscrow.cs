using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BTCPayServer.Plugins.Escrow.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class NonCustodialEscrow : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Custody",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Contracts",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                // Contracts written before the mode existed are custodial.
                defaultValue: "Custodial");

            migrationBuilder.AddColumn<string>(
                name: "NonCustodial",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Contracts",
                type: "text",
                nullable: false,
                // An empty state: no keys, no escrows, no signing rounds.
                defaultValue: "{}");

            migrationBuilder.CreateTable(
                name: "EscrowIndexCounters",
                schema: "BTCPayServer.Plugins.Escrow",
                columns: table => new
                {
                    StoreId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Next = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EscrowIndexCounters", x => x.StoreId);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "EscrowIndexCounters",
                schema: "BTCPayServer.Plugins.Escrow");

            migrationBuilder.DropColumn(
                name: "Custody",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Contracts");

            migrationBuilder.DropColumn(
                name: "NonCustodial",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Contracts");
        }
    }
}
