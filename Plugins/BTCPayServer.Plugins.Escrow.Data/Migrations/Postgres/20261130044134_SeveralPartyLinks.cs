using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BTCPayServer.Plugins.Escrow.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SeveralPartyLinks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_PartyAccess",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "PartyAccess");

            migrationBuilder.DropIndex(
                name: "IX_PartyAccess_TokenHash",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "PartyAccess");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ExpiresAt",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "PartyAccess",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddPrimaryKey(
                name: "PK_PartyAccess",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "PartyAccess",
                column: "TokenHash");

            migrationBuilder.CreateIndex(
                name: "IX_PartyAccess_ContractId_Role",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "PartyAccess",
                columns: new[] { "ContractId", "Role" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_PartyAccess",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "PartyAccess");

            migrationBuilder.DropIndex(
                name: "IX_PartyAccess_ContractId_Role",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "PartyAccess");

            migrationBuilder.DropColumn(
                name: "ExpiresAt",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "PartyAccess");

            migrationBuilder.AddPrimaryKey(
                name: "PK_PartyAccess",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "PartyAccess",
                columns: new[] { "ContractId", "Role" });

            migrationBuilder.CreateIndex(
                name: "IX_PartyAccess_TokenHash",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "PartyAccess",
                column: "TokenHash",
                unique: true);
        }
    }
}
