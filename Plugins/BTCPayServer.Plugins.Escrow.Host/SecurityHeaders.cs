namespace BTCPayServer.Plugins.Escrow.Host;

/// <summary>
/// Headers on every answer of the host, error pages included: a Content-Security-Policy that allows scripts, styles and
/// images from this host only (no inline script or style: the pages' scripts are files under /escrow/assets), no
/// framing, no MIME sniffing, and a referrer kept to this site (party pages say no-referrer themselves, and keep it).
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var response = context.Response;
        // Added as the answer starts, so an error page (whose handler clears the headers) has them too.
        response.OnStarting(() =>
        {
            var headers = response.Headers;
            headers.TryAdd("Content-Security-Policy", ContentSecurityPolicy);
            headers.TryAdd("X-Content-Type-Options", "nosniff");
            // Set, not added: antiforgery puts SAMEORIGIN there on every page with a form.
            headers.XFrameOptions = "DENY";
            headers.TryAdd("Referrer-Policy", "same-origin");
            headers.TryAdd("Cross-Origin-Opener-Policy", "same-origin");
            // Served over HTTPS (directly, or behind a known proxy that says so): browsers keep to HTTPS from then on.
            if (context.Request.IsHttps)
                headers.TryAdd("Strict-Transport-Security", "max-age=31536000");
            return Task.CompletedTask;
        });
        return next(context);
    });
}
