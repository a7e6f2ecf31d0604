using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;
using QRCoder;

namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

/// <summary>
/// A QR code as inline SVG: no request to anyone, no script and no style attribute (the party page's
/// Content-Security-Policy allows neither). One square per dark module, quiet zone included, named for screen readers.
/// </summary>
public static class QrCodeSvg
{
    public static IHtmlContent For(string text, string label, string cssClass)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        var modules = data.ModuleMatrix;
        var size = modules.Count;
        var path = new StringBuilder();
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
                if (modules[y][x])
                    path.Append(CultureInfo.InvariantCulture, $"M{x} {y}h1v1h-1z");
        var encodedLabel = HtmlEncoder.Default.Encode(label);
        return new HtmlString(
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"{HtmlEncoder.Default.Encode(cssClass)}\" viewBox=\"0 0 {size} {size}\" width=\"200\" height=\"200\" role=\"img\" aria-label=\"{encodedLabel}\" shape-rendering=\"crispEdges\">" +
            $"<title>{encodedLabel}</title><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>");
    }
}
