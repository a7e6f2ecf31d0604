using Microsoft.EntityFrameworkCore.Design;

namespace BTCPayServer.Plugins.Escrow.Data.Sqlite;

/// <summary>Lets <c>dotnet ef migrations add --context SqliteEscrowDbContext -o Migrations/Sqlite</c> build the model.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteEscrowDbContext>
{
    public SqliteEscrowDbContext CreateDbContext(string[] args) =>
        EscrowDatabase.CreateSqlite("Data Source=escrow-design-time.db");
}
