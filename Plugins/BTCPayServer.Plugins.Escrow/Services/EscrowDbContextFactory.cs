using BTCPayServer.Abstractions.Contracts;
using BTCPayServer.Abstractions.Models;
using BTCPayServer.Plugins.Escrow.Data;
using BTCPayServer.Plugins.Escrow.Data.Postgres;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Services;

/// <summary>
/// Contexts of the escrow model on BTCPay's own PostgreSQL database, with BTCPay's connection settings (retries,
/// server version). Everything escrow, migration history included, lives in the schema <see cref="EscrowDatabase.Schema"/>.
/// </summary>
public sealed class EscrowDbContextFactory(IOptions<DatabaseOptions> options)
    : BaseDbContextFactory<PostgresEscrowDbContext>(options, EscrowDatabase.Schema)
{
    public override PostgresEscrowDbContext CreateContext(Action<NpgsqlDbContextOptionsBuilder>? npgsqlOptionsAction = null)
    {
        var builder = new DbContextOptionsBuilder<PostgresEscrowDbContext>();
        ConfigureBuilder(builder, npgsqlOptionsAction);
        // BTCPay's builder names the history table after the constructor's argument, in the connection's default schema;
        // the escrow keeps its history in its own schema, as on the standalone host's PostgreSQL.
        builder.UseNpgsql(EscrowDatabase.ConfigurePostgres);
        return new PostgresEscrowDbContext(builder.Options);
    }
}
