using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using NBitcoin;
using Xunit.Abstractions;

namespace BTCPayServer.Plugins.Escrow.Web.Tests.Sweep;

/// <summary>The sandbox wallet's forms (pay: destination and amount; mine: blocks; signer: PSBT; broadcast: transaction; drop: txid) with every bad value.</summary>
public sealed class SandboxWalletSweepTests(EscrowApp app, ITestOutputHelper output) : IClassFixture<EscrowApp>
{
    private const string Wallet = "/sandbox/wallet";

    [Fact]
    public async Task The_sandbox_wallet_forms_refuse_bad_values_and_change_nothing()
    {
        var browser = app.NewBrowser();
        await browser.SubmitAsync(await browser.OpenAsync(Wallet), "#GenerateKey-client");
        var address = new Key().PubKey.GetAddress(ScriptPubKeyType.Segwit, Network.RegTest).ToString();
        SweepField Field(string name, string url, Func<string, KeyValuePair<string, string>[]> form) => new()
        {
            Name = name,
            Browser = () => Task.FromResult(browser),
            Send = (b, value) => b.PostAsync(url, form(value)),
            Snapshot = app.SandboxWalletSnapshotAsync,
            Display = b => b.GetAsync(Wallet),
        };
        var fields = new[]
        {
            Field("destination (sandbox wallet pay)", $"{Wallet}/pay", v => [new("destination", v), new("amount", "0.001")]),
            Field("amount (sandbox wallet pay)", $"{Wallet}/pay", v => [new("destination", address), new("amount", v)]),
            Field("blocks (sandbox wallet mine)", $"{Wallet}/mine", v => [new("blocks", v)]),
            Field("psbt (sandbox signer)", $"{Wallet}/signer/client/sign", v => [new("psbt", v)]),
            Field("transaction (sandbox wallet broadcast)", $"{Wallet}/broadcast", v => [new("transaction", v)]),
            Field("txid (sandbox wallet drop)", $"{Wallet}/drop", v => [new("txid", v), new("confirm", "yes")]),
        };
        var sweeper = new Sweeper(output);
        await sweeper.RunAsync(fields);
        Assert.Equal(fields.Length * BadValues.All.Count, sweeper.Sent);
        Assert.Equal(0, sweeper.Accepted);
    }
}
