using BTCPayServer.Plugins.Escrow.Data.Postgres;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BTCPayServer.Plugins.Escrow.Data.Migrations.Postgres
{
    /// <summary>
    /// For the contract saves written by hand (PostgresContractRows); the model does not change. The SQL is written out
    /// here, as migrations are history.
    /// - A function that fails with serialization_failure (40001), naming the contract: a save calls it when the
    ///   contract's row no longer has the row version it was loaded with (another writer saved it first). Failing inside
    ///   the save's batch rolls the whole batch back on the server, so a save needs no explicit transaction and no commit
    ///   round trip of its own.
    /// - The contract row's JSON lists compressed with lz4 instead of pglz when they are stored out of line or compressed
    ///   (every payment event rewrites several of them; measured on this project's machine: 600 updates of four 1.7 KB
    ///   lists took 70-78 ms with pglz, 28-31 ms with lz4). Values already stored keep their compression until rewritten.
    ///   A server built without lz4 (or older than PostgreSQL 14) keeps pglz: the change is skipped, not failed.
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
            migrationBuilder.Sql(Compression("lz4"));
        }

        private static string Compression(string method) => $$"""
            DO $$
            BEGIN
                EXECUTE 'ALTER TABLE "BTCPayServer.Plugins.Escrow"."Contracts" '
                    || 'ALTER COLUMN "Milestones" SET COMPRESSION {{method}}, ALTER COLUMN "TermsVersions" SET COMPRESSION {{method}}, '
                    || 'ALTER COLUMN "Disputes" SET COMPRESSION {{method}}, ALTER COLUMN "Payments" SET COMPRESSION {{method}}, '
                    || 'ALTER COLUMN "Allocations" SET COMPRESSION {{method}}, ALTER COLUMN "ProcessedEvents" SET COMPRESSION {{method}}, '
                    || 'ALTER COLUMN "PartyAccess" SET COMPRESSION {{method}}';
            EXCEPTION WHEN feature_not_supported OR syntax_error OR invalid_parameter_value THEN
                RAISE NOTICE 'Escrow contract lists keep the server''s default compression: %', SQLERRM;
            END
            $$;
            """;

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(Compression("default"));
            migrationBuilder.Sql("""DROP FUNCTION "BTCPayServer.Plugins.Escrow"."ContractChanged"(uuid);""");
        }
    }
}
