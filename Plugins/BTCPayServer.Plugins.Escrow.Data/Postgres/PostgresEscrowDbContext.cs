using System.Data.Common;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using Npgsql;
using Microsoft.EntityFrameworkCore;

namespace BTCPayServer.Plugins.Escrow.Data.Postgres;

/// <summary>
/// The model on PostgreSQL, as BTCPay Server runs it: everything in the plugin's own schema, and the contract row's
/// system column <c>xmin</c> as its row version. <see cref="Contract.PrepareSave"/> bumps the revision on every save,
/// so the row (and xmin) changes even when only child rows did.
/// </summary>
public sealed class PostgresEscrowDbContext(DbContextOptions<PostgresEscrowDbContext> options) : EscrowDbContext(options)
{
    public const string RowVersion = "RowVersion";
    private const string UniqueViolation = "23505";

    public override bool IsUniqueViolation(DbException error) => error is PostgresException { SqlState: UniqueViolation };

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(EscrowDatabase.Schema);
        base.OnModelCreating(modelBuilder);
        // A uint row version maps to xmin: no column to create, PostgreSQL changes it on every update.
        modelBuilder.Entity<Contract>().Property<uint>(RowVersion).IsRowVersion();
    }
}
