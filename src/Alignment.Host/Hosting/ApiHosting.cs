using System.Security.Claims;
using Alignment.Host.Endpoints;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Scalar.AspNetCore;

namespace Alignment.Host.Hosting;

public static class Policies
{
    /// <summary>Team data: admin, PMO, and product owners (scoped to their own teams by the queries).</summary>
    public const string TeamData = "teamData";
    /// <summary>Operations (queue a sync, the job dashboard): admin and PMO.</summary>
    public const string Operations = "operations";
    /// <summary>Management information (MI endpoints; the dashboard's data): admin, PMO and management.</summary>
    public const string Management = "management";
}

public static class ApiHosting
{
    public static WebApplicationBuilder AddAlignmentApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddProblemDetails();
        services.AddExceptionHandler<StoreUnavailableExceptionHandler>(); // database down: 503 + Retry-After, not 500
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddAlignmentOidc(builder.Configuration);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.TeamData, p => p.RequireRole(Domain.Access.Viewer.Admin, Domain.Access.Viewer.Pmo, Domain.Access.Viewer.ProductOwner))
            .AddPolicy(Policies.Operations, p => p.RequireRole(Domain.Access.Viewer.Admin, Domain.Access.Viewer.Pmo))
            .AddPolicy(Policies.Management, p => p.RequireRole(Domain.Access.Viewer.Admin, Domain.Access.Viewer.Pmo, Domain.Access.Viewer.Management));
        services.AddAlignmentOpenApi(); // OpenApiDocument.cs: security schemes, problem responses, tags
        services.AddHealthChecks()
            .AddCheck<DatabaseReadyCheck>("database", failureStatus: null, tags: ["ready"], timeout: DatabaseReadyCheck.Timeout);
        services.AddCookieAntiforgery();
        return builder;
    }

    public static WebApplication MapAlignmentApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDashboard();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseCookieAntiforgery();

        app.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/scalar", o => o.WithTitle("Alignment API")).AllowAnonymous();

        app.MapHookEndpoints(); // authenticated by each source's hook secret, not by an API key

        var api = app.MapGroup("/api");
        api.MapTeamEndpoints();
        api.MapWorkItemEndpoints();
        api.MapSyncEndpoints();
        api.MapSourceEndpoints();
        api.MapSprintEndpoints();
        api.MapMiEndpoints();
        api.MapFinanceEndpoints();
        api.MapFindingEndpoints();
        api.MapAdviceEndpoints();
        return app;
    }

    public static Viewer Viewer(this ClaimsPrincipal user) =>
        new(user.Identity?.Name ?? "?", user.FindFirstValue(ClaimTypes.Role) ?? "", user.FindFirstValue(ApiKeyAuthenticationHandler.EmailClaim));
}

/// <summary>Ready when the database answers and every migration has been applied; asked afresh on every probe (nothing cached).</summary>
public sealed class DatabaseReadyCheck(NpgsqlDataSource db, Migrator migrator) : IHealthCheck
{
    /// <summary>A probe that gets no answer within this is unhealthy (an unreachable host must not hang the probe).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            var pending = await migrator.PendingAsync(ct);
            return pending.Count == 0
                ? HealthCheckResult.Healthy("database reachable, migrations current")
                : HealthCheckResult.Unhealthy($"{pending.Count} migration(s) pending: run `alignment migrate`");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            db.Clear(); // the pool's idle connections died with the server: reconnect afresh once it is back
            return HealthCheckResult.Unhealthy("database unreachable: " + e.GetType().Name);
        }
    }
}
