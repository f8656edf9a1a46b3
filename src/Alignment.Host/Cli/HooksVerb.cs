using System.CommandLine;
using System.Text.Json;
using Alignment.Application.Hooks;

namespace Alignment.Host.Cli;

/// <summary>
/// <c>alignment hooks print|register --source ID --url PUBLIC_URL</c> (docs/webhooks.md, "Registering"): the exact webhook subscriptions a source
/// needs, printed (the secret as a placeholder), or created through the tracker's REST API where the token has the right, idempotently.
/// </summary>
public static class HooksVerb
{
    public static Command Create()
    {
        var source = new Option<string>("--source") { Description = "The configured source (Alignment:Sources:N:Id)", Required = true };
        var url = new Option<string>("--url") { Description = "Alignment's public base URL as the tracker reaches it, e.g. https://alignment.example.com", Required = true };
        var print = new Command("print", "Print the subscriptions to create in the tracker (URL, events, filter, headers)") { source, url };
        print.SetAction((r, ct) => Verbs.Guard(() => RunAsync(r, r.GetValue(source)!, r.GetValue(url)!, register: false, ct)));
        var register = new Command("register", "Create the subscriptions through the tracker's REST API (admin token); those already there are kept") { source, url };
        register.SetAction((r, ct) => Verbs.Guard(() => RunAsync(r, r.GetValue(source)!, r.GetValue(url)!, register: true, ct)));
        return new Command("hooks", "Tracker webhooks: print or register a source's subscriptions") { print, register };
    }

    private static async Task<int> RunAsync(ParseResult parse, string sourceId, string url, bool register, CancellationToken ct)
    {
        using var host = CliHost.Build(parse);
        var config = host.Options();
        if (config.Source(sourceId) is not { } source)
        {
            await Console.Error.WriteLineAsync($"alignment hooks: no source '{sourceId}' is configured (Alignment:Sources)");
            return 2;
        }
        if (!source.Hooks.Enabled)
        {
            await Console.Error.WriteLineAsync($"alignment hooks: source '{sourceId}' has no webhooks configured (Alignment:Sources:N:Hooks:SecretEnv)");
            return 2;
        }
        if (!Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var publicUrl) || publicUrl.Scheme is not ("https" or "http"))
        {
            await Console.Error.WriteLineAsync($"alignment hooks: --url '{url}' is not an absolute http(s) URL");
            return 2;
        }
        if (!register)
        {
            var placeholder = $"<the value of {source.Hooks.SecretEnv ?? "the hook secret"}>";
            var subscriptions = await HookSubscriptions.ForAsync(config, source, publicUrl, placeholder, p => Task.FromResult($"<id of project {p}>"));
            foreach (var s in subscriptions)
            {
                Console.WriteLine($"# {s.Description}: POST {new Uri(source.BaseUri, s.CreatePath)}");
                // Printed for a person to paste, not embedded in HTML: '<' and '>' of the placeholders stay readable.
                Console.WriteLine(s.Body.ToJsonString(new JsonSerializerOptions
                {
                    WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
                }));
            }
            if (source.Kind == TrackerKind.AzureDevOps)
                Console.WriteLine("# Optional: narrow a subscription to the teams' area paths with publisherInputs.areaPath.");
            return 0;
        }
        using var http = new HttpClient { BaseAddress = source.BaseUri, Timeout = TimeSpan.FromSeconds(60) };
        try
        {
            foreach (var r in await HookSubscriptions.RegisterAsync(config, source, publicUrl, http, ct))
                Console.WriteLine($"{(r.Created ? "created" : "exists ")}  {r.Subscription.Description} → {r.Subscription.CallbackUrl}");
        }
        catch (InvalidOperationException e)
        {
            await Console.Error.WriteLineAsync("alignment hooks register: " + e.Message);
            return 1;
        }
        return 0;
    }
}
