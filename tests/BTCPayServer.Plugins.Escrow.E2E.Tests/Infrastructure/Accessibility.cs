using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace BTCPayServer.Plugins.Escrow.E2E.Tests.Infrastructure;

/// <summary>Runs axe-core on the page as it is now and names every serious or critical violation.</summary>
public static class Accessibility
{
    private static readonly HashSet<string> Failing = new(StringComparer.OrdinalIgnoreCase) { "serious", "critical" };

    public static async Task<IReadOnlyList<string>> SeriousViolationsAsync(IPage page)
    {
        var result = await page.RunAxe();
        return result.Violations
            .Where(v => v.Impact is not null && Failing.Contains(v.Impact))
            .Select(v => $"{v.Impact} {v.Id} ({v.Help}): {string.Join(", ", v.Nodes.Take(3).Select(n => string.Join(" ", n.Target?.ToString() ?? "?")))}")
            .ToList();
    }
}
