using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Disputes;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Statements;
using BTCPayServer.Plugins.Escrow.Web.Api.Models;

namespace BTCPayServer.Plugins.Escrow.Web.Api;

/// <summary>
/// One example value of every request and answer type of the API, for the OpenAPI document (a test checks each
/// against its own schema). Kept here, next to the models, so a host that documents the API shows the same examples.
/// </summary>
public static class ApiExamples
{
    private static readonly Guid ContractId = Guid.Parse("0e6b2f5c-3f1a-4d2e-9a41-5b7c8d9e0f12");
    private static readonly Guid MilestoneId = Guid.Parse("9d4a1c2b-7e6f-4a3b-8c1d-2e3f4a5b6c7d");
    private const long Time = 1764477000;
    /// <summary>BIP32 test vector 1 at m/0h, with its origin: an extended public key as a wallet exports it.</summary>
    private const string AgencyKey = "[3442193e/0h]xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ9xv5ski8PX9rL2dZXvgGDnw";

    private static readonly MilestoneRequest MilestoneAsked = new(null, "Wireframes", "Clickable wireframes of the 5 main pages", "250.00", new DateOnly(2026, 12, 15), null);

    private static readonly ContractResource Contract = new(
        ContractId, "default", 3, ContractState.Proposed, "Website redesign", "Redesign of the shop's five main pages.",
        new PartyData("Carla Client", "carla@client.example"), new PartyData("Fred Freelancer", "fred@freelancer.example"),
        "USD", FxPolicy.FiatProtected, new FeeData("5", "0.00", FeePayer.Freelancer), OverpaymentHandling.RollForward, 14, 7,
        "250.00", "0.00",
        [new MilestoneData(MilestoneId, 1, "Wireframes", "Clickable wireframes of the 5 main pages", "250.00", "0.00", "2026-12-15", null,
            MilestoneState.Pending, "0.00", "0.00", "0.00", "0.00", "0.00", null, null, null)],
        new TermsVersionData(1, "3b7e1c9a5f2d4e6b8a0c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6f708", Time, null, null), 0,
        [new PartyLinksData(PartyRole.Client, 1, Time), new PartyLinksData(PartyRole.Freelancer, 1, Time)],
        null, Time - 600, Time, null, CustodyMode.Custodial, null);

    private static readonly Dictionary<Type, object> Values = new()
    {
        [typeof(ContractRequest)] = new ContractRequest
        {
            Title = "Website redesign",
            Scope = "Redesign of the shop's five main pages.",
            Client = new PartyRequest("Carla Client", "carla@client.example"),
            Freelancer = new PartyRequest("Fred Freelancer", "fred@freelancer.example"),
            Currency = "USD",
            Fx = FxPolicy.FiatProtected,
            Fee = new FeeRequest("5", "0", FeePayer.Freelancer),
            Milestones = [MilestoneAsked],
        },
        [typeof(ContractUpdateRequest)] = new ContractUpdateRequest
        {
            Version = 3,
            Title = "Website redesign (with logo)",
            Milestones = [MilestoneAsked with { Id = MilestoneId }, new MilestoneRequest(null, "Logo", "A logo in SVG", "120.00", null, 7)],
        },
        [typeof(ContractActRequest)] = new ContractActRequest(3),
        [typeof(CancelRequest)] = new CancelRequest("The client stopped the project.", 3),
        [typeof(RulingRequest)] = new RulingRequest("150.00", "Two of the five pages were delivered as agreed.", 7),
        [typeof(SettingsRequest)] = new SettingsRequest(DefaultCurrency: "EUR", DefaultFeePercent: "2.5", AutoApproveClaims: false, NetworkFeeRate: "4.5"),
        [typeof(ContractResource)] = Contract,
        [typeof(ContractListData)] = new ContractListData(
            [new ContractSummaryData(ContractId, "Website redesign", "Carla Client", "Fred Freelancer", ContractState.Active, "USD",
                "250.00", "250.00", "0.00", "0.00", "0.00", 0, false, Time - 600, Time)], 1, 25, 1),
        [typeof(ContractWithLinksData)] = new ContractWithLinksData(Contract,
            [new IssuedLinkData(PartyRole.Client, "https://escrow.example.com/escrow/p/q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c"),
             new IssuedLinkData(PartyRole.Freelancer, "https://escrow.example.com/escrow/p/z9x8c7v6b5n4m3l2k1j0h9g8f7d6s5a4p3o2i1u0y9t")]),
        [typeof(DisputeSummaryData[])] = new[]
        {
            new DisputeSummaryData(ContractId, "Website redesign", MilestoneId, 1, "Wireframes", "250.00", "USD", PartyRole.Client,
                "Only two of the five pages were delivered.", DisputeStatus.Escalated, Time, Time + 7 * 86400),
        },
        [typeof(DisputeData)] = new DisputeData(Guid.Parse("5f0c3d2e-1b4a-4c5d-8e9f-a0b1c2d3e4f5"), ContractId, 7, MilestoneId, 1, "Wireframes", "250.00", "USD",
            PartyRole.Client, "Only two of the five pages were delivered.", DisputeStatus.Escalated, Time, Time + 7 * 86400, Time + 7 * 86400,
            null, null, null,
            [new SplitProposalData(Guid.Parse("7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d"), PartyRole.Freelancer, "200.00", "Four pages are nearly done.", ProposalStatus.Rejected, Time + 3600)],
            [new DisputeMessageData(ActorRole.Client, "Pages 3 to 5 are missing.", Time + 600)]),
        [typeof(LedgerData)] = new LedgerData("USD", "250.00", "250.00", "0.00", "0.00", "0.00", "0.00", "0.00", "250.00"),
        [typeof(TimelineData)] = new TimelineData(true, null, "a3f1c2d4e5b6a7980c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b",
            [new TimelineEntryData(1, Time - 600, ActorRole.Agency, "contract.created",
                new Dictionary<string, string?> { ["title"] = "Website redesign", ["total"] = "250.00 USD", ["milestones"] = "1" },
                "a3f1c2d4e5b6a7980c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b")]),
        [typeof(StatementData)] = new StatementData("2026-11-01", "2026-11-30",
            [new StatementLineData(Time, ContractId, "Website redesign", 1, "credited", StatementParty.Client, "Carla Client", "250.00", "250.00", "USD",
                "0.00250000", "100000", "BTC-CHAIN", "sbx_inv_7Kq2", null, "sbx_pay_81f3")],
            [new StatementTotalsData("USD", "250.00", "0.00", "0.00", "0.00", "250.00")]),
        [typeof(SettingsData)] = new SettingsData("USD", FxPolicy.FiatProtected, "5", "0", FeePayer.Freelancer, OverpaymentHandling.RollForward, 14, 7,
            ["BTC-CHAIN", "BTC-LN"], ["BTC-CHAIN", "BTC-LN"], true,
            AgencyKey, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "4.5"),
        [typeof(GreenfieldValidationError[])] = new[] { new GreenfieldValidationError("milestones[0].amount", "Milestone 1 needs an amount above zero.") },
    };

    /// <summary>The example of <paramref name="type"/>; for errors, one that fits <paramref name="status"/>.</summary>
    public static object? For(Type type, int status = 200) =>
        type == typeof(GreenfieldError) ? ErrorFor(status) : Values.GetValueOrDefault(type);

    public static IEnumerable<Type> Types => Values.Keys.Append(typeof(GreenfieldError));

    private static GreenfieldError ErrorFor(int status) => status switch
    {
        401 => new("unauthenticated", "Authenticate with an API key that works: send the header 'Authorization: token <key>'."),
        403 => new("missing-permission", "This API key lacks the permission 'btcpay.plugin.store.escrow.canmanagecontracts'."),
        404 => new("contract-not-found", "The contract does not exist in this store."),
        413 => new("body-too-large", "The body is larger than 1000000 bytes."),
        409 => new("contract-version-conflict", "The contract was changed by someone else at the same time. Reload it and try again."),
        _ => new("contract.invalid-state", "The contract cannot be sent for acceptance while it is active."),
    };
}
