using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BTCPayServer.Plugins.Escrow.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class StoreSettingsAndRefundSource : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "SourceInvoiceId",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "PayoutInstructions",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "StoreSettings",
                schema: "BTCPayServer.Plugins.Escrow",
                columns: table => new
                {
                    StoreId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Json = table.Column<string>(type: "text", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StoreSettings", x => x.StoreId);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "StoreSettings",
                schema: "BTCPayServer.Plugins.Escrow");

            migrationBuilder.DropColumn(
                name: "SourceInvoiceId",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "PayoutInstructions");
        }
    }
}
