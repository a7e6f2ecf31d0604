using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Web.Api.Models;

/// <summary>One contract of a list: money as kept at its last save, in <see cref="Currency"/>.</summary>
public sealed record ContractSummaryData(
    Guid Id, string Title, string ClientName, string FreelancerName, ContractState State, string Currency,
    string Total, string Funded, string Released, string Refunded, string Outstanding, int OpenDisputes, bool AuditBroken,
    long CreatedTime, long UpdatedTime)
{
    public static ContractSummaryData Of(ContractListRow r) => new(
        r.Id, r.Title, r.ClientName, r.FreelancerName, r.State, r.Total.Currency,
        r.Total.FormatAmount(), r.Funded.FormatAmount(), r.Released.FormatAmount(), r.Refunded.FormatAmount(), r.Outstanding.FormatAmount(),
        r.OpenDisputes, r.AuditBroken, UnixTime.Of(r.CreatedAt), UnixTime.Of(r.UpdatedAt));
}

/// <summary>A page of contracts, newest first, with the number matching the filter.</summary>
public sealed record ContractListData(IReadOnlyList<ContractSummaryData> Data, int Page, int PageSize, int Total)
{
    public static ContractListData Of(ContractListPage page) => new(page.Rows.Select(ContractSummaryData.Of).ToList(), page.Page, page.PageSize, page.TotalCount);
}

/// <summary>A party link just issued: its address holds the token, shown in this answer only.</summary>
public sealed record IssuedLinkData(PartyRole Role, string? Url);

/// <summary>
/// The answer to an act that issues party links: the contract, and each new link. An idempotent retry of the same
/// request gets <c>links</c> with <c>url</c> null (the tokens are kept nowhere: rotate to get new ones).
/// </summary>
public sealed record ContractWithLinksData(ContractResource Contract, IReadOnlyList<IssuedLinkData> Links)
{
    public ContractWithLinksData WithoutSecrets() => this with { Links = Links.Select(l => l with { Url = null }).ToList() };
}
