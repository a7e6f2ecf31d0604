using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BTCPayServer.Plugins.Escrow.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CreditPerPayment : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "Refunded",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Allocations",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            // Before this migration credit was one pooled figure and its allocations were never marked when the credit
            // was rolled into milestones or refunded. Where a contract holds no credit, none of it is held any more.
            // (Contracts still holding credit keep their allocations as held; that may overstate their credit if part
            // of it was rolled forward earlier. No release had such contracts in the field.)
            migrationBuilder.Sql("""
                UPDATE "BTCPayServer.Plugins.Escrow"."Allocations" AS a SET "Refunded" = TRUE
                FROM "BTCPayServer.Plugins.Escrow"."Contracts" AS c
                WHERE a."ContractId" = c."Id" AND a."MilestoneId" IS NULL AND NOT a."Reversed" AND c."Credit_Amount" = 0;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Refunded",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Allocations");
        }
    }
}
