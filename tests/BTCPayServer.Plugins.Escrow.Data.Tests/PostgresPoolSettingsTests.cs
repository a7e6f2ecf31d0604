using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Plugins.Escrow.Core.Statements;
using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;
using Npgsql;

namespace BTCPayServer.Plugins.Escrow.Data.Tests;

/// <summary>
/// The escrow's own connection pool (standalone host, benchmark) prepares statements and does not reset a connection
/// returned to it (<see cref="EscrowDatabase.WithPoolDefaults"/>). Not resetting is safe only while the escrow leaves no
/// session state on a connection, so that is checked too: everything it does, on one pooled connection, leaves that
/// connection as a fresh one.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresPoolSettingsTests(PostgresDatabase db)
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public void The_escrow_pool_prepares_and_does_not_reset_unless_its_connection_string_says_otherwise()
    {
        var plain = new NpgsqlConnectionStringBuilder(EscrowDatabase.WithPoolDefaults("Host=db;Database=escrow"));
        Assert.Equal(64, plain.MaxAutoPrepare);
        Assert.True(plain.NoResetOnClose);

        foreach (var said in new[] { "No Reset On Close=false", "NoResetOnClose=false", "no reset on close=False" })
        {
            var kept = new NpgsqlConnectionStringBuilder(EscrowDatabase.WithPoolDefaults($"Host=db;Database=escrow;{said}"));
            Assert.False(kept.NoResetOnClose);
            Assert.Equal(64, kept.MaxAutoPrepare);
        }
        foreach (var said in new[] { "Max Auto Prepare=0", "MaxAutoPrepare=0" })
            Assert.Equal(0, new NpgsqlConnectionStringBuilder(EscrowDatabase.WithPoolDefaults($"Host=db;Database=escrow;{said}")).MaxAutoPrepare);
        Assert.Equal(8, new NpgsqlConnectionStringBuilder(EscrowDatabase.WithPoolDefaults("Host=db;Max Auto Prepare=8")).MaxAutoPrepare);
        // A value that happens to spell a key is a value.
        var password = new NpgsqlConnectionStringBuilder(EscrowDatabase.WithPoolDefaults("Host=db;Password=NoResetOnClose-MaxAutoPrepare"));
        Assert.True(password.NoResetOnClose);
        Assert.Equal(64, password.MaxAutoPrepare);
        Assert.Equal("NoResetOnClose-MaxAutoPrepare", password.Password);

        // What the contexts are built with.
        using var context = EscrowDatabase.CreatePostgres("Host=db;Database=escrow");
        var used = new NpgsqlConnectionStringBuilder(Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.GetConnectionString(context.Database));
        Assert.True(used.NoResetOnClose);
        Assert.Equal(64, used.MaxAutoPrepare);
    }

    [Fact]
    public async Task Migrating_and_a_whole_contract_life_on_one_pooled_connection_leave_no_session_state_behind()
    {
        // A database of its own, so the migrations run on the pooled connection too; one connection in the pool, so
        // every context below uses the same server session.
        var name = $"escrow_pool_{Guid.NewGuid():N}";
        var server = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Database = "postgres" }.ConnectionString;
        await ExecuteAsync(server, $"CREATE DATABASE \"{name}\"");
        var connectionString = new NpgsqlConnectionStringBuilder(db.ConnectionString)
            { Database = name, MaxPoolSize = 1, ApplicationName = "escrow-pool-settings-test" }.ConnectionString;
        try
        {
            var fresh = await SessionAsync(connectionString);

            await using (var context = EscrowDatabase.CreatePostgres(connectionString))
                await EscrowDatabase.MigrateAsync(context);
            foreach (var byHand in new[] { true, false })
            {
                var clock = Build.Clock();
                var lifecycle = new Lifecycle(clock);
                var contract = Build.Draft(clock);
                await using (var store = new EfContractStore(EscrowDatabase.CreatePostgres(connectionString), byHand))
                    await store.AddAsync(contract, None);
                foreach (var (step, i) in lifecycle.Steps.Select((s, i) => (s, i)))
                {
                    lifecycle.Tick(i);
                    await using var store = new EfContractStore(EscrowDatabase.CreatePostgres(connectionString), byHand);
                    var loaded = i % 2 == 0
                        ? (await store.FindAsync(contract.Id, None))!
                        : (await store.FindInStoreAsync(contract.StoreId, contract.Id, None))!;
                    step(loaded);
                    await store.SaveAsync(loaded, None);
                }
                await using (var store = new EfContractStore(EscrowDatabase.CreatePostgres(connectionString), byHand))
                    Assert.Single(await store.FindByGatewayIdsAsync([lifecycle.InvoiceId], [lifecycle.PullPaymentId], None));
                var queries = new EfContractQueries(() => EscrowDatabase.CreatePostgres(connectionString));
                Assert.NotEmpty((await queries.ListContractsAsync(new ContractListQuery(contract.StoreId), None)).Rows);
                await queries.ListActiveDisputesAsync(contract.StoreId, None);
                var today = DateOnly.FromDateTime(DateTime.UtcNow);
                await queries.ReadStatementSourcesAsync(contract.StoreId, new StatementPeriod(today.AddYears(-2), today.AddYears(2)), None);
            }

            var after = await SessionAsync(connectionString);
            // The same server session, or the comparison would say nothing.
            Assert.Equal(fresh.Pid, after.Pid);
            Assert.Equal(fresh with { Pid = 0 }, after with { Pid = 0 });
            Assert.Equal("", after.SessionSettings);
        }
        finally
        {
            NpgsqlConnection.ClearPool(new NpgsqlConnection(EscrowDatabase.WithPoolDefaults(connectionString)));
            await ExecuteAsync(server, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        }
    }

    /// <summary>What a reset would clear, read on the escrow pool's connection (the same pool as the contexts').</summary>
    private static async Task<Session> SessionAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(EscrowDatabase.WithPoolDefaults(connectionString));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT pg_backend_pid(),
                   coalesce((SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings WHERE source = 'session'), ''),
                   (SELECT count(*) FROM pg_listening_channels()),
                   (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()),
                   (SELECT count(*) FROM pg_class WHERE relpersistence = 't'),
                   (SELECT count(*) FROM pg_cursors),
                   session_user = current_user,
                   current_setting('search_path')
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new Session(reader.GetInt32(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
            reader.GetInt64(5), reader.GetBoolean(6), reader.GetString(7));
    }

    private sealed record Session(int Pid, string SessionSettings, long Listening, long AdvisoryLocks, long TemporaryTables,
        long OpenCursors, bool SessionUserIsCurrentUser, string SearchPath);

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
