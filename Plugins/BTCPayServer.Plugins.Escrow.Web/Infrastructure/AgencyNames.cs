namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

/// <summary>The agency's (store's) display name for the party pages; a host without one answers null and the pages say "the agency".</summary>
public interface IAgencyNames
{
    Task<string?> NameOfAsync(string storeId, CancellationToken cancellationToken);
}

/// <summary>One configured name for every store: the standalone host runs a single agency.</summary>
public sealed class FixedAgencyName(string? name) : IAgencyNames
{
    public Task<string?> NameOfAsync(string storeId, CancellationToken cancellationToken) => Task.FromResult(string.IsNullOrWhiteSpace(name) ? null : name);
}
