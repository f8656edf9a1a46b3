using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Alignment.Host.Hosting;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c>, complete enough to generate a client from: the credentials it takes
/// (the <c>X-Api-Key</c> header; an OIDC bearer token only when <c>Alignment:Auth:Oidc</c> is configured) declared as
/// security schemes and required by every operation that is not anonymous, the 401/403/404 problem responses where they
/// can occur, described tags and a server URL without a trailing slash.
/// </summary>
public static class AlignmentOpenApi
{
    public const string ApiKeyScheme = "ApiKey";
    public const string BearerScheme = "Bearer";
    public const string ProblemSchema = nameof(ProblemDetails);
    public const string ProblemJson = "application/problem+json";

    /// <summary>Every tag an endpoint uses, with its description (an endpoint with a tag not listed here fails the lint test).</summary>
    public static readonly IReadOnlyDictionary<string, string> Tags = new Dictionary<string, string>
    {
        ["Teams"] = "Configured teams: their work items, sprints and data-hygiene scorecard, scoped to a product owner's own teams.",
        ["Work items"] = "One work item across trackers with its links (dependencies, relations, duplicates, clones) from either end.",
        ["Sprints"] = "Planning and retrospective packs per team, and the absences that set a team's capacity.",
        ["Findings"] = "Alignment findings from the last analysis, with evidence, and epic forecasts; acknowledge or suppress a finding.",
        ["Advice"] = "The weekly prioritisation-advice digest a product owner receives by e-mail, previewed as it would be sent now.",
        ["Management information"] = "Organisation- and team-level figures for admin, PMO and management, each explainable down to its inputs; CSV on request. The finance figures also give product owners the budget status of their teams' epics.",
        ["Sync"] = "Data freshness per source and team, and queueing a sync of a source (admin and PMO).",
        ["Dashboard"] = "Support for the browser dashboard, which signs in with the alignment-key cookie.",
        ["Hooks"] = "Tracker webhooks (Jira, Azure DevOps service hooks): authenticated by the source's hook secret, not by an API key; recorded, then a targeted sync.",
    };

    public static IServiceCollection AddAlignmentOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            o.AddOperationTransformer<OperationSecurityTransformer>();
            o.AddDocumentTransformer<DocumentTransformer>();
        });

    /// <summary>Whether OIDC bearer tokens are accepted: the JwtBearer scheme is registered only with an authority.</summary>
    public static async Task<bool> AcceptsBearerAsync(IAuthenticationSchemeProvider schemes) =>
        await schemes.GetSchemeAsync(Oidc.Scheme) is not null;

    /// <summary>Title, description, servers, security schemes and tag descriptions.</summary>
    public sealed class DocumentTransformer(IAuthenticationSchemeProvider schemes, IOptionsMonitor<AlignmentOptions> options) : IOpenApiDocumentTransformer
    {
        public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
        {
            var bearer = await AcceptsBearerAsync(schemes);
            document.Info.Title = "Alignment API";
            document.Info.Description = "Cross-team alignment for an Agile PMO: teams, work items, sprints and sync. "
                + "Send the API key in the X-Api-Key header" + (bearer ? ", or an OIDC access token as Authorization: Bearer." : ".");
            foreach (var server in document.Servers ?? [])
                if (server.Url is { Length: > 1 } url && url.EndsWith('/')) server.Url = url.TrimEnd('/');

            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = ApiKeyAuthenticationHandler.Header,
                Description = "An API key issued by the operator (Alignment:Auth:ApiKeys); its role decides what the key may read or do.",
            };
            if (bearer)
            {
                var oidc = options.CurrentValue.Auth.Oidc;
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT",
                    Description = $"An access token (JWT) from the OIDC provider {oidc.Authority} for audience {oidc.Audience}; "
                        + $"its {oidc.RoleClaim} claim gives the role.",
                };
            }
            if (document.Components.Schemas?.ContainsKey(ProblemSchema) != true)
                document.AddComponent(ProblemSchema, await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, ct));

            foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
                if (tag.Name is { } name && Tags.TryGetValue(name, out var description)) tag.Description ??= description;
        }
    }

    /// <summary>
    /// Each operation's security requirement (API key, or bearer token when OIDC is on; none when anonymous) and the problem
    /// responses authorization can give: 401 without valid credentials, 403 where a role policy applies, 404 on routes with an id.
    /// </summary>
    public sealed class OperationSecurityTransformer(IAuthenticationSchemeProvider schemes) : IOpenApiOperationTransformer
    {
        public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            operation.Responses ??= new OpenApiResponses();
            if (metadata.OfType<IAllowAnonymous>().Any())
            {
                operation.Security = [new OpenApiSecurityRequirement()]; // {}: no credentials needed
            }
            else
            {
                operation.Security = [Requirement(ApiKeyScheme, context.Document)];
                if (await AcceptsBearerAsync(schemes)) operation.Security.Add(Requirement(BearerScheme, context.Document));
                AddProblem(operation, context.Document, StatusCodes.Status401Unauthorized,
                    "No credentials, or credentials that are not valid (an unknown API key, or a bearer token that fails validation).");
                if (metadata.OfType<IAuthorizeData>().Any(a => !string.IsNullOrEmpty(a.Policy) || !string.IsNullOrEmpty(a.Roles)))
                    AddProblem(operation, context.Document, StatusCodes.Status403Forbidden, "The credentials' role may not use this operation.");
            }
            if (context.Description.RelativePath?.Contains('{') == true)
                AddProblem(operation, context.Document, StatusCodes.Status404NotFound,
                    "Nothing with that id, or the credentials do not give access to it.");
        }

        private static OpenApiSecurityRequirement Requirement(string scheme, OpenApiDocument? document) =>
            new() { [new OpenApiSecuritySchemeReference(scheme, document)] = [] };

        /// <summary>Adds an application/problem+json response for <paramref name="status"/> unless the endpoint declares one itself.</summary>
        private static void AddProblem(OpenApiOperation operation, OpenApiDocument? document, int status, string description)
        {
            var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (operation.Responses!.ContainsKey(key)) return;
            operation.Responses[key] = new OpenApiResponse
            {
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType> { [ProblemJson] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, document) } },
            };
        }
    }
}
