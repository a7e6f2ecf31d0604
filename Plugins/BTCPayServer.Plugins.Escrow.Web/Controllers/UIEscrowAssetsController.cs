using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace BTCPayServer.Plugins.Escrow.Web.Controllers;

/// <summary>
/// Serves the library's few scripts and its stylesheet from its own assembly, so pages work the same in any host (BTCPay loads plugins
/// without their static web assets).
/// </summary>
[Route("escrow/assets")]
[AllowAnonymous]
public sealed class UIEscrowAssetsController : Controller
{
    private static readonly Assembly Library = typeof(UIEscrowAssetsController).Assembly;
    private static readonly string[] Names = Library.GetManifestResourceNames();

    [HttpGet("{file}")]
    [ResponseCache(Duration = 3600)]
    public IActionResult Script([FromRoute] string file)
    {
        // Only names that exist in the assembly: nothing else on disk or in memory can be reached.
        var (folder, type) = Path.GetExtension(file) switch
        {
            ".js" => ("js", "text/javascript; charset=utf-8"),
            ".css" => ("css", "text/css; charset=utf-8"),
            _ => (null, null),
        };
        var resource = $"{Library.GetName().Name}.wwwroot.{folder}.{file}";
        if (folder is null || !Names.Contains(resource))
            return NotFound();
        return File(Library.GetManifestResourceStream(resource)!, type!);
    }
}
