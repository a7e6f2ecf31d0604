using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Data.Tests;

// The same suites, once per provider. Each provider's tests share one database created for the run (a collection
// fixture) and run one class at a time; the two providers run in parallel.

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresDatabase>
{
    public const string Name = "PostgreSQL";
}

[CollectionDefinition(Name)]
public sealed class SqliteCollection : ICollectionFixture<SqliteDatabase>
{
    public const string Name = "SQLite";
}

[Collection(PostgresCollection.Name)] public sealed class PostgresRoundTripTests(PostgresDatabase db) : RoundTripTests(db);
[Collection(PostgresCollection.Name)] public sealed class PostgresConcurrencyTests(PostgresDatabase db) : ConcurrencyTests(db);
[Collection(PostgresCollection.Name)] public sealed class PostgresIdempotencyTests(PostgresDatabase db) : IdempotencyTests(db);
[Collection(PostgresCollection.Name)] public sealed class PostgresApiIdempotencyRetentionTests(PostgresDatabase db) : ApiIdempotencyRetentionTests(db);
[Collection(PostgresCollection.Name)] public sealed class PostgresLookupTests(PostgresDatabase db) : LookupTests(db);
[Collection(PostgresCollection.Name)] public sealed class PostgresDueWorkTests(PostgresDatabase db) : DueWorkTests(db);
[Collection(PostgresCollection.Name)] public sealed class PostgresMigrationTests(PostgresDatabase db) : MigrationTests(db);
[Collection(PostgresCollection.Name)] public sealed class PostgresMoneyPrecisionTests(PostgresDatabase db) : MoneyPrecisionTests(db);
[Collection(PostgresCollection.Name)] public sealed class PostgresQueryTests(PostgresDatabase db) : QueryTests(db);
[Collection(PostgresCollection.Name)] public sealed class PostgresReconciliationTests(PostgresDatabase db) : ReconciliationTests(db);
[Collection(PostgresCollection.Name)] public sealed class PostgresStoreSettingsTests(PostgresDatabase db) : StoreSettingsTests(db);
[Collection(PostgresCollection.Name)] public sealed class PostgresNotificationTests(PostgresDatabase db) : NotificationTests(db);
[Collection(PostgresCollection.Name)] public sealed class PostgresNonCustodialStorageTests(PostgresDatabase db) : NonCustodialStorageTests(db);
[Collection(PostgresCollection.Name)] public sealed class PostgresNonCustodialFlowTests(PostgresDatabase db) : NonCustodialFlowTests(db);

[Collection(SqliteCollection.Name)] public sealed class SqliteRoundTripTests(SqliteDatabase db) : RoundTripTests(db);
[Collection(SqliteCollection.Name)] public sealed class SqliteConcurrencyTests(SqliteDatabase db) : ConcurrencyTests(db);
[Collection(SqliteCollection.Name)] public sealed class SqliteIdempotencyTests(SqliteDatabase db) : IdempotencyTests(db);
[Collection(SqliteCollection.Name)] public sealed class SqliteApiIdempotencyRetentionTests(SqliteDatabase db) : ApiIdempotencyRetentionTests(db);
[Collection(SqliteCollection.Name)] public sealed class SqliteAuditLogTests(SqliteDatabase db) : AuditLogTests(db);
[Collection(SqliteCollection.Name)] public sealed class SqliteLookupTests(SqliteDatabase db) : LookupTests(db);
[Collection(SqliteCollection.Name)] public sealed class SqliteDueWorkTests(SqliteDatabase db) : DueWorkTests(db);
[Collection(SqliteCollection.Name)] public sealed class SqliteMigrationTests(SqliteDatabase db) : MigrationTests(db);
[Collection(SqliteCollection.Name)] public sealed class SqliteNonCustodialStorageTests(SqliteDatabase db) : NonCustodialStorageTests(db);
[Collection(SqliteCollection.Name)] public sealed class SqliteNonCustodialFlowTests(SqliteDatabase db) : NonCustodialFlowTests(db);
[Collection(SqliteCollection.Name)] public sealed class SqliteMoneyPrecisionTests(SqliteDatabase db) : MoneyPrecisionTests(db);
[Collection(SqliteCollection.Name)] public sealed class SqliteQueryTests(SqliteDatabase db) : QueryTests(db);
[Collection(SqliteCollection.Name)] public sealed class SqliteReconciliationTests(SqliteDatabase db) : ReconciliationTests(db);
[Collection(SqliteCollection.Name)] public sealed class SqliteStoreSettingsTests(SqliteDatabase db) : StoreSettingsTests(db);
[Collection(SqliteCollection.Name)] public sealed class SqliteNotificationTests(SqliteDatabase db) : NotificationTests(db);

[Collection(PostgresCollection.Name)] public sealed class PostgresAuditGuardTests(PostgresDatabase db) : AuditGuardTests(db);
[Collection(SqliteCollection.Name)] public sealed class SqliteAuditGuardTests(SqliteDatabase db) : AuditGuardTests(db);
