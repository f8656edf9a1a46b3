using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Alignment.IntegrationTests.Infrastructure;

namespace Alignment.IntegrationTests.Api;

/// <summary>
/// The OpenAPI document the real host serves at <c>/openapi/v1.json</c> is one a client can be generated from: it passes
/// Redocly CLI's <c>recommended</c> ruleset without an error or a warning (info-license aside), and every <c>/api</c>
/// operation says which credentials it takes (the <c>X-Api-Key</c> header, and an OIDC bearer token when OIDC is
/// configured) and answers 401/403 (and 404 on a route with an id) as problem details. Needs Redocly CLI:
/// <c>./dev.sh test</c> installs it into .dev/redocly and names its binary in REDOCLY.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class OpenApiLintTests(TestDatabase db) : IAsyncLifetime
{
    private const string Authority = "http://127.0.0.1:9/idp"; // never fetched: the document names the scheme, no token is validated
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    public Task InitializeAsync() => db.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_document_passes_redocly_recommended_without_errors_or_warnings(bool oidc)
    {
        var redocly = RedoclyPath();
        var file = Path.Combine(Path.GetTempPath(), $"alignment-openapi-{Guid.NewGuid():N}.json");
        try
        {
            await File.WriteAllTextAsync(file, await DocumentTextAsync(oidc));
            // info-license is skipped: the product has no licence the document could name (the owner's call, not the code's).
            var (code, stdout, stderr) = await RunAsync(redocly,
                ["lint", file, "--extends=recommended", "--skip-rule=info-license", "--format=json", "--max-problems=1000"]);
            using var report = ParseReport(stdout, code, stderr);
            var totals = report.RootElement.GetProperty("totals");
            var (errors, warnings) = (totals.GetProperty("errors").GetInt32(), totals.GetProperty("warnings").GetInt32());
            Assert.True(errors == 0 && warnings == 0 && code == 0,
                $"redocly lint (recommended, OIDC {(oidc ? "on" : "off")}): exit {code}, {errors} error(s), {warnings} warning(s)\n{Describe(report.RootElement)}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_api_operation_declares_its_credentials_and_its_problem_responses(bool oidc)
    {
        using var doc = JsonDocument.Parse(await DocumentTextAsync(oidc));
        var root = doc.RootElement;
        var schemes = root.GetProperty("components").GetProperty("securitySchemes");
        var apiKey = schemes.GetProperty("ApiKey");
        Assert.Equal(("apiKey", "header", "X-Api-Key"),
            (apiKey.GetProperty("type").GetString(), apiKey.GetProperty("in").GetString(), apiKey.GetProperty("name").GetString()));
        Assert.Equal(oidc, schemes.TryGetProperty("Bearer", out var bearer));
        if (oidc) Assert.Equal(("http", "bearer"), (bearer.GetProperty("type").GetString(), bearer.GetProperty("scheme").GetString()));
        string[] expected = oidc ? ["ApiKey", "Bearer"] : ["ApiKey"];

        var operations = Operations(root).Where(o => o.Path.StartsWith("/api/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(operations);
        foreach (var (path, method, op) in operations)
        {
            var name = $"{method.ToUpperInvariant()} {path}";
            Assert.True(op.TryGetProperty("security", out var security), $"{name} has no security requirement");
            var alternatives = security.EnumerateArray().SelectMany(r => r.EnumerateObject().Select(s => s.Name)).Order().ToArray();
            Assert.True(expected.SequenceEqual(alternatives), $"{name} takes [{string.Join(", ", alternatives)}], not [{string.Join(", ", expected)}]");
            var responses = op.GetProperty("responses");
            foreach (var status in new[] { "401", "403" })
                Assert.True(IsProblem(root, responses, status), $"{name} has no {status} application/problem+json response");
            var hasPathParameter = path.Contains('{');
            Assert.True(!hasPathParameter || IsProblem(root, responses, "404"), $"{name} has a path parameter but no 404 problem response");
        }
        Assert.DoesNotContain(Operations(root), o => o.Path.StartsWith("/health", StringComparison.Ordinal) || o.Path.StartsWith("/openapi", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_tag_has_a_description_and_the_server_url_has_no_trailing_slash()
    {
        using var doc = JsonDocument.Parse(await DocumentTextAsync(oidc: false));
        var root = doc.RootElement;
        var described = root.GetProperty("tags").EnumerateArray()
            .Where(t => !string.IsNullOrWhiteSpace(t.TryGetProperty("description", out var d) ? d.GetString() : null))
            .Select(t => t.GetProperty("name").GetString()).ToHashSet();
        foreach (var (path, method, op) in Operations(root))
            foreach (var tag in op.GetProperty("tags").EnumerateArray())
                Assert.True(described.Contains(tag.GetString()), $"{method.ToUpperInvariant()} {path}: tag '{tag.GetString()}' has no description");
        foreach (var server in root.GetProperty("servers").EnumerateArray())
            Assert.False(server.GetProperty("url").GetString()!.EndsWith('/'), $"server url '{server.GetProperty("url")}' ends with a slash");
    }

    // ---- the host and its document ---------------------------------------------------------------

    private async Task<string> DocumentTextAsync(bool oidc)
    {
        object auth = oidc
            ? new { ApiKeys = TestHost.ApiKeys, Oidc = new { Authority, Audience = "alignment-api" } }
            : new { ApiKeys = TestHost.ApiKeys };
        var config = new
        {
            Sources = new[] { Configs.JiraSource("http://127.0.0.1:9/jira"), Configs.AdoSource("http://127.0.0.1:9/ado/org") },
            Teams = new[] { Configs.JiraTeam("payments", "Payments", "PAY", 12), Configs.AdoTeam("ledger", "Ledger", "Finance", "Ledger") },
            Auth = auth,
        };
        await using var host = await TestHost.StartAsync(db, config);
        using var c = host.Client();
        var r = await c.GetAsync("/openapi/v1.json");
        Assert.True(r.IsSuccessStatusCode, $"/openapi/v1.json answered {(int)r.StatusCode}");
        return await r.Content.ReadAsStringAsync();
    }

    private static IEnumerable<(string Path, string Method, JsonElement Operation)> Operations(JsonElement root) =>
        root.GetProperty("paths").EnumerateObject().SelectMany(p => p.Value.EnumerateObject()
            .Where(m => Methods.Contains(m.Name)).Select(m => (p.Name, m.Name, m.Value)));

    /// <summary>The response for <paramref name="status"/> (inline or a components/responses reference) is application/problem+json.</summary>
    private static bool IsProblem(JsonElement root, JsonElement responses, string status)
    {
        if (!responses.TryGetProperty(status, out var response)) return false;
        if (response.TryGetProperty("$ref", out var r))
            response = root.GetProperty("components").GetProperty("responses").GetProperty(r.GetString()!.Split('/').Last());
        return response.TryGetProperty("content", out var content) && content.TryGetProperty("application/problem+json", out _);
    }

    // ---- redocly ---------------------------------------------------------------------------------

    private static string RedoclyPath()
    {
        var path = Environment.GetEnvironmentVariable("REDOCLY");
        if (string.IsNullOrEmpty(path))
            Assert.Fail("REDOCLY is not set: run the tests through ./dev.sh test, which installs @redocly/cli into .dev/redocly and sets REDOCLY to its binary");
        if (!File.Exists(path)) Assert.Fail($"REDOCLY names '{path}', which does not exist: run the tests through ./dev.sh test");
        return path;
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["REDOCLY_TELEMETRY"] = "off";                  // no network: no usage reports,
        psi.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";    // no update check
        psi.Environment["NO_COLOR"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        try { await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2)); }
        catch (TimeoutException)
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("redocly lint did not finish within 2 minutes");
        }
        return (p.ExitCode, await stdout, await stderr);
    }

    private static JsonDocument ParseReport(string stdout, int code, string stderr)
    {
        var start = stdout.IndexOf('{');
        try { return JsonDocument.Parse(start < 0 ? "" : stdout[start..]); }
        catch (JsonException)
        {
            Assert.Fail($"redocly lint (exit {code}) printed no JSON report:\n{stdout}\n{stderr}");
            throw;
        }
    }

    /// <summary>One line per problem: severity, rule, message and where in the document.</summary>
    private static string Describe(JsonElement report)
    {
        var sb = new StringBuilder();
        foreach (var p in report.GetProperty("problems").EnumerateArray())
        {
            var where = p.TryGetProperty("location", out var l) && l.GetArrayLength() > 0 && l[0].TryGetProperty("pointer", out var ptr)
                ? ptr.GetString() : "";
            sb.AppendLine($"  {p.GetProperty("severity").GetString()} {p.GetProperty("ruleId").GetString()}: {p.GetProperty("message").GetString()} at {where}");
        }
        return sb.ToString();
    }
}
