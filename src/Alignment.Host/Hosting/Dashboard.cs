using Microsoft.Extensions.FileProviders;

namespace Alignment.Host.Hosting;

/// <summary>The dashboard (wwwroot, embedded in the executable so it is served wherever the binary runs; no CDN).</summary>
public static class Dashboard
{
    private const string Policy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    public static WebApplication UseDashboard(this WebApplication app)
    {
        var files = new EmbeddedFileProvider(typeof(Dashboard).Assembly, "Alignment.Host.wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = ctx =>
            {
                var h = ctx.Context.Response.Headers;
                h.ContentSecurityPolicy = Policy;
                h.XContentTypeOptions = "nosniff";
                h["Referrer-Policy"] = "no-referrer";
                h.CacheControl = "no-cache";
            },
        });
        return app;
    }
}
