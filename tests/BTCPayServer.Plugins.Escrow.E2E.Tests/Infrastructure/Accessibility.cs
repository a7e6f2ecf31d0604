using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace BTCPayServer.Plugins.Escrow.E2E.Tests.Infrastructure;

/// <summary>Runs axe-core on the page as it is now and names every serious or critical violation.</summary>
public static class Accessibility
{
    private static readonly HashSet<string> Failing = new(StringComparer.OrdinalIgnoreCase) { "serious", "critical" };

    public static async Task<IReadOnlyList<string>> SeriousViolationsAsync(IPage page)
    {
        var result = await RunAxeAsync(page);
        return result.Violations
            .Where(v => v.Impact is not null && Failing.Contains(v.Impact))
            .Select(v => $"{v.Impact} {v.Id} ({v.Help}): {string.Join(", ", v.Nodes.Take(3).Select(n => string.Join(" ", n.Target?.ToString() ?? "?")))}")
            .ToList();
    }

    /// <summary>
    /// A party page reloads itself when its contract changed; a reload between injecting axe and running it loses the
    /// script ("axe is not defined", "Execution context was destroyed"). Then the new document is checked instead.
    /// </summary>
    private static async Task<Deque.AxeCore.Commons.AxeResult> RunAxeAsync(IPage page)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await page.RunAxe();
            }
            catch (PlaywrightException e) when (attempt < 4 && (e.Message.Contains("axe is not defined", StringComparison.Ordinal)
                                                               || e.Message.Contains("Execution context was destroyed", StringComparison.Ordinal)))
            {
                await page.WaitForLoadStateAsync(LoadState.Load);
            }
        }
    }
}
