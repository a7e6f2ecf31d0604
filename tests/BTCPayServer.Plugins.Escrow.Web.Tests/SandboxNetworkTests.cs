using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using BTCPayServer.Plugins.Escrow.Host.Sandbox;
using BTCPayServer.Plugins.Escrow.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>The sandbox chain configured as testnet (Escrow:SandboxNetwork).</summary>
public sealed class TestnetSandboxApp : EscrowApp
{
    protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("Escrow:SandboxNetwork", "testnet");
}

public sealed class SandboxNetworkTests(TestnetSandboxApp app) : IClassFixture<TestnetSandboxApp>
{
    [Theory]
    [InlineData("", "regtest")]
    [InlineData(null, "regtest")]
    [InlineData(" RegTest ", "regtest")]
    [InlineData("testnet", "testnet")]
    [InlineData("signet", "signet")]
    public void The_sandbox_network_is_a_test_network(string? configured, string expected) =>
        Assert.Equal(expected, SandboxNetwork.Parse(configured).Name);

    [Theory]
    [InlineData("mainnet")]
    [InlineData("main")]
    [InlineData("bitcoin")]
    [InlineData("liquid")]
    public void Mainnet_or_an_unknown_network_stops_the_host_with_a_sentence(string configured)
    {
        var e = Assert.Throws<InvalidOperationException>(() => SandboxNetwork.Parse(configured));
        Assert.Contains("Escrow:SandboxNetwork", e.Message);
        Assert.Contains("never mainnet", e.Message);
    }

    [Fact]
    public async Task A_testnet_sandbox_pays_testnet_addresses_and_refuses_regtest_ones()
    {
        var chain = app.Services.GetRequiredService<IEscrowChain>();
        Assert.Equal(Network.TestNet, chain.Network);
        var browser = app.NewBrowser();
        var page = await browser.OpenAsync("/sandbox/wallet");
        Assert.Equal("testnet", page.Text("#ChainNetwork"));
        var testnet = new Key().PubKey.GetAddress(ScriptPubKeyType.Segwit, Network.TestNet);

        var paid = await browser.SubmitAsync(page, "#PayButton", ("destination", testnet.ToString()), ("amount", "0.001"));
        var refused = await browser.SubmitAsync(paid, "#PayButton", ("destination", new Key().PubKey.GetAddress(ScriptPubKeyType.Segwit, Network.RegTest).ToString()), ("amount", "0.001"));

        Assert.NotNull(paid.Find("#PaidTxId"));
        Assert.Single(await chain.GetCoinsAsync(testnet, CancellationToken.None));
        Assert.Contains("regtest address", refused.Text("#SandboxError"));
        Assert.True(File.Exists(Path.Combine(app.DataDir, "sandbox-wallet-testnet.db")));
    }
}
