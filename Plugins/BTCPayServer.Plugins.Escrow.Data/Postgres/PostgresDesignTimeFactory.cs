using Microsoft.EntityFrameworkCore.Design;

namespace BTCPayServer.Plugins.Escrow.Data.Postgres;

/// <summary>
/// Lets <c>dotnet ef migrations add --context PostgresEscrowDbContext -o Migrations/Postgres</c> build the model.
/// Adding a migration never connects, so the connection string is a placeholder.
/// </summary>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresEscrowDbContext>
{
    public PostgresEscrowDbContext CreateDbContext(string[] args) =>
        EscrowDatabase.CreatePostgres("Host=localhost;Database=escrow_design_time");
}
