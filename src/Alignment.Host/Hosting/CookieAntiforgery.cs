using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Alignment.Host.Hosting;

/// <summary>
/// Cross-site request forgery defence for the dashboard's cookie. A browser attaches the <c>alignment-key</c> cookie to any
/// request to this host, so a POST or DELETE authenticated by it must also carry the ASP.NET Core anti-forgery token
/// (header <see cref="Header"/>, from <c>GET /antiforgery/token</c>; the job dashboard's pages carry it for their own
/// scripts). A request authenticated by the <c>X-Api-Key</c> header or a bearer token needs none: another site cannot set
/// those headers.
/// </summary>
public static class CookieAntiforgery
{
    public const string Header = "X-CSRF-Token";
    public const string Cookie = "alignment-csrf";
    public const string TokenPath = "/antiforgery/token";

    public sealed record AntiforgeryToken(string HeaderName, string Token);

    public static IServiceCollection AddCookieAntiforgery(this IServiceCollection services) =>
        services.AddAntiforgery(o =>
        {
            o.HeaderName = Header;
            o.Cookie.Name = Cookie;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });

    /// <summary>The request is authenticated, and by the dashboard's cookie (neither the API-key header nor an Authorization header).</summary>
    public static bool IsAuthenticatedByCookie(HttpContext http) =>
        http.User.Identity?.IsAuthenticated == true
        && string.IsNullOrEmpty(http.Request.Headers[ApiKeyAuthenticationHandler.Header])
        && string.IsNullOrEmpty(http.Request.Headers.Authorization)
        && !string.IsNullOrEmpty(http.Request.Cookies[ApiKeyAuthenticationHandler.Cookie]);

    /// <summary>After authentication: refuses an unsafe request authenticated by the cookie without a valid token (400), everywhere (API and job dashboard).</summary>
    public static WebApplication UseCookieAntiforgery(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            var method = http.Request.Method;
            var safe = HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);
            if (!safe && IsAuthenticatedByCookie(http)
                && !await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http))
            {
                await TypedResults.Problem(title: "Anti-forgery token missing or invalid",
                    detail: $"A {method} authenticated by the dashboard cookie needs the {Header} header from GET {TokenPath} (or send the key in X-Api-Key).",
                    statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(http);
                return;
            }
            await next(http);
        });
        app.MapGet(TokenPath, Ok<AntiforgeryToken> (HttpContext http, IAntiforgery antiforgery) =>
            {
                var tokens = antiforgery.GetAndStoreTokens(http);
                return TypedResults.Ok(new AntiforgeryToken(tokens.HeaderName!, tokens.RequestToken!));
            })
            .WithTags("Dashboard").WithName("GetAntiforgeryToken")
            .WithSummary("An anti-forgery token for the signed-in dashboard: send it in the X-CSRF-Token header of every POST or DELETE authenticated by the alignment-key cookie");
        return app;
    }
}
