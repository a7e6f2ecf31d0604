using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BTCPayServer.Plugins.Escrow.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class NonCustodialEscrow : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Custody",
                table: "Contracts",
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                // Contracts written before the mode existed are custodial.
                defaultValue: "Custodial");

            migrationBuilder.AddColumn<string>(
                name: "NonCustodial",
                table: "Contracts",
                type: "TEXT",
                nullable: false,
                // An empty state: no keys, no escrows, no signing rounds.
                defaultValue: "{}");

            migrationBuilder.CreateTable(
                name: "EscrowIndexCounters",
                columns: table => new
                {
                    StoreId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Next = table.Column<long>(type: "INTEGER", nullable: false)
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
                name: "EscrowIndexCounters");

            migrationBuilder.DropColumn(
                name: "Custody",
                table: "Contracts");

            migrationBuilder.DropColumn(
                name: "NonCustodial",
                table: "Contracts");
        }
    }
}
