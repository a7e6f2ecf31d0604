using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BTCPayServer.Plugins.Escrow.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SeveralPartyLinks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_PartyAccess",
                table: "PartyAccess");

            migrationBuilder.DropIndex(
                name: "IX_PartyAccess_TokenHash",
                table: "PartyAccess");

            migrationBuilder.AddColumn<long>(
                name: "ExpiresAt",
                table: "PartyAccess",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddPrimaryKey(
                name: "PK_PartyAccess",
                table: "PartyAccess",
                column: "TokenHash");

            migrationBuilder.CreateIndex(
                name: "IX_PartyAccess_ContractId_Role",
                table: "PartyAccess",
                columns: new[] { "ContractId", "Role" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_PartyAccess",
                table: "PartyAccess");

            migrationBuilder.DropIndex(
                name: "IX_PartyAccess_ContractId_Role",
                table: "PartyAccess");

            migrationBuilder.DropColumn(
                name: "ExpiresAt",
                table: "PartyAccess");

            migrationBuilder.AddPrimaryKey(
                name: "PK_PartyAccess",
                table: "PartyAccess",
                columns: new[] { "ContractId", "Role" });

            migrationBuilder.CreateIndex(
                name: "IX_PartyAccess_TokenHash",
                table: "PartyAccess",
                column: "TokenHash",
                unique: true);
        }
    }
}
