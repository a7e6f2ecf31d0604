using BTCPayServer.Plugins.Escrow.Data.Postgres;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BTCPayServer.Plugins.Escrow.Data.Migrations.Postgres
{
    /// <summary>
    /// For the contract saves written by hand (PostgresContractRows): a function that fails with serialization_failure
    /// (40001), naming the contract. A save calls it when the contract's row no longer has the row version it was
    /// loaded with (another writer saved it first). Failing inside the save's batch rolls the whole batch back on the
    /// server, so a save needs no explicit transaction and no commit round trip of its own. The model does not change.
    /// The SQL is written out here, as migrations are history.
    /// </summary>
    [DbContext(typeof(PostgresEscrowDbContext))]
    [Migration("20261201050000_HandWrittenContractSaves")]
    public partial class HandWrittenContractSaves : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE FUNCTION "BTCPayServer.Plugins.Escrow"."ContractChanged"(contract uuid) RETURNS xid
                LANGUAGE plpgsql VOLATILE AS $$
                BEGIN
                    RAISE EXCEPTION 'Escrow contract % was saved by another writer since it was loaded.', contract
                        USING ERRCODE = 'serialization_failure';
                END;
                $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP FUNCTION "BTCPayServer.Plugins.Escrow"."ContractChanged"(uuid);""");
        }
    }
}
