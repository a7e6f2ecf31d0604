using System.Text;
using Microsoft.Data.Sqlite;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;

/// <summary>
/// Every row of every table of the host's two SQLite files (the escrow's and the sandbox gateway's) that belongs to
/// some stores or contracts, as text. A row belongs to them when one of its key columns holds one of their ids, or the
/// id of a row that does (a dispute's messages through the dispute, an invoice's payments through the invoice), so a
/// table added later is covered without naming it here.
/// </summary>
public static class DatabaseSnapshot
{
    private static readonly string[] KeyColumns = ["Id", "StoreId", "ContractId", "DisputeId", "InvoiceId", "PullPaymentId"];

    public static async Task<string> OfAsync(EscrowApp app, IEnumerable<string> storeIds, IEnumerable<Guid> contractIds)
    {
        var owned = new HashSet<string>(storeIds.Concat(contractIds.Select(id => id.ToString())), StringComparer.OrdinalIgnoreCase);
        var text = new StringBuilder();
        foreach (var file in new[] { "escrow.db", "sandbox.db" })
        {
            var tables = await ReadAsync(Path.Combine(app.DataDir, file));
            // Rows own rows of other tables through their ids: go round until no new id is found.
            var rows = new Dictionary<string, List<Dictionary<string, string>>>();
            for (var round = 0; round < 5; round++)
            {
                var before = owned.Count;
                foreach (var (table, all) in tables)
                {
                    rows[table] = all.Where(row => KeyColumns.Any(k => row.TryGetValue(k, out var v) && owned.Contains(v))).ToList();
                    foreach (var row in rows[table])
                        if (row.TryGetValue("Id", out var id) && id.Length > 0)
                            owned.Add(id);
                }
                if (owned.Count == before)
                    break;
            }
            foreach (var (table, list) in rows.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                text.Append(file).Append('.').Append(table).Append(": ").Append(list.Count).AppendLine(" row(s)");
                foreach (var row in list.Select(r => string.Join(" | ", r.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"))).Order(StringComparer.Ordinal))
                    text.Append("  ").AppendLine(row);
            }
        }
        return text.ToString();
    }

    private static async Task<List<(string Table, List<Dictionary<string, string>> Rows)>> ReadAsync(string path)
    {
        var result = new List<(string, List<Dictionary<string, string>>)>();
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        var names = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                names.Add(reader.GetString(0));
        }
        foreach (var name in names)
        {
            var rows = new List<Dictionary<string, string>>();
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{name}\"";
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var row = new Dictionary<string, string>(StringComparer.Ordinal);
                for (var i = 0; i < reader.FieldCount; i++)
                    row[reader.GetName(i)] = reader.IsDBNull(i) ? "NULL" : reader.GetValue(i) is byte[] bytes ? Convert.ToHexString(bytes) : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!;
                rows.Add(row);
            }
            result.Add((name, rows));
        }
        return result;
    }
}
