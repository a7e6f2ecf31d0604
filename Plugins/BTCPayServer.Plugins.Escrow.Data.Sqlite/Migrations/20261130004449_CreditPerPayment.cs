using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BTCPayServer.Plugins.Escrow.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CreditPerPayment : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "Refunded",
                table: "Allocations",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            // Before this migration credit was one pooled figure and its allocations were never marked when the credit
            // was rolled into milestones or refunded. Where a contract holds no credit, none of it is held any more.
            // (Contracts still holding credit keep their allocations as held; that may overstate their credit if part
            // of it was rolled forward earlier. No release had such contracts in the field.)
            migrationBuilder.Sql("""
                UPDATE "Allocations" SET "Refunded" = 1
                WHERE "MilestoneId" IS NULL AND "Reversed" = 0
                  AND "ContractId" IN (SELECT "Id" FROM "Contracts" WHERE CAST("Credit_Amount" AS REAL) = 0);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Refunded",
                table: "Allocations");
        }
    }
}
