using Microsoft.EntityFrameworkCore.Design;

namespace BTCPayServer.Plugins.Escrow.Data.Sqlite;

/// <summary>Lets <c>dotnet ef migrations add --context SqliteEscrowDbContext -o Migrations</c> build the model.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteEscrowDbContext>
{
    public SqliteEscrowDbContext CreateDbContext(string[] args) =>
        SqliteEscrowDatabase.Create("Data Source=escrow-design-time.db");
}
