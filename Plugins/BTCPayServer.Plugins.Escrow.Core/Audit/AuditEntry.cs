using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace BTCPayServer.Plugins.Escrow.Core.Audit;

/// <summary>One link of a contract's hash chain: hash = SHA-256(previous hash ‖ canonical entry).</summary>
public sealed class AuditEntry
{
    /// <summary>The previous hash of the first entry: 32 zero bytes.</summary>
    public static readonly string GenesisHash = new('0', 64);

    private AuditEntry() { }

    public Guid ContractId { get; private set; }
    public int Sequence { get; private set; }
    public DateTimeOffset At { get; private set; }
    public ActorRole ActorRole { get; private set; }
    public string ActorId { get; private set; } = "";
    public string Type { get; private set; } = "";
    /// <summary>Canonical JSON object of the entry's facts, keys sorted.</summary>
    public string Data { get; private set; } = "{}";
    public string PreviousHash { get; private set; } = "";
    public string Hash { get; private set; } = "";

    internal static AuditEntry Append(Guid contractId, int sequence, string previousHash, DateTimeOffset at, Actor actor, string type, IReadOnlyDictionary<string, string?> data)
    {
        var entry = new AuditEntry
        {
            ContractId = contractId,
            Sequence = sequence,
            At = Truncate(at),
            ActorRole = actor.Role,
            ActorId = actor.Id,
            Type = type,
            Data = CanonicalData(data),
            PreviousHash = previousHash,
        };
        entry.Hash = entry.ComputeHash();
        return entry;
    }

    /// <summary>The exact text that is hashed; every field, fixed order, invariant formats.</summary>
    public string CanonicalText() => string.Join('\n',
        Sequence.ToString(CultureInfo.InvariantCulture),
        At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
        ActorRole.ToString(),
        ActorId,
        Type,
        Data);

    public string ComputeHash()
    {
        var previous = Convert.FromHexString(PreviousHash.Length == 64 ? PreviousHash : GenesisHash);
        var body = Encoding.UTF8.GetBytes(CanonicalText());
        return Convert.ToHexStringLower(SHA256.HashData([.. previous, .. body]));
    }

    public IReadOnlyDictionary<string, string?> ReadData() =>
        JsonSerializer.Deserialize<Dictionary<string, string?>>(Data) ?? [];

    /// <summary>Storage keeps milliseconds at best; hashing the truncated time makes the chain survive a reload.</summary>
    internal static DateTimeOffset Truncate(DateTimeOffset at) =>
        new(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);

    private static string CanonicalData(IReadOnlyDictionary<string, string?> data) =>
        JsonSerializer.Serialize(new SortedDictionary<string, string?>(data.ToDictionary(), StringComparer.Ordinal));
}
