namespace Alignment.Application.Configuration;

/// <summary>The keys of a source's tracker webhooks, <c>Alignment:Sources:N:Hooks</c> (docs/webhooks.md).</summary>
public sealed partial class AlignmentOptionsValidator
{
    private static void Hooks(SourceOptions s, string key, List<string> errors)
    {
        var h = s.Hooks;
        var k = key + ":Hooks";
        if (h.MaxBodyBytes is < 1024 or > 64L * 1024 * 1024)
            errors.Add($"{k}:MaxBodyBytes: {h.MaxBodyBytes} must be between 1024 and 67108864 (bytes of one delivery)");
        if (h.HealthyWindow < TimeSpan.FromMinutes(1) || h.HealthyWindow > TimeSpan.FromDays(30))
            errors.Add($"{k}:HealthyWindow: '{h.HealthyWindow}' must be between 00:01:00 and 30.00:00:00 (hooks are healthy while a delivery arrived within it)");
        if (h.CoalesceWindow < TimeSpan.Zero || h.CoalesceWindow > TimeSpan.FromMinutes(5))
            errors.Add($"{k}:CoalesceWindow: '{h.CoalesceWindow}' must be between 00:00:00 and 00:05:00");
        if (!string.IsNullOrEmpty(h.Header))
        {
            if (s.Kind != TrackerKind.AzureDevOps)
                errors.Add($"{k}:Header: only Azure DevOps service hooks carry the secret in a header; Jira signs the body with it (X-Hub-Signature)");
            else if (!h.Header.All(c => c is >= '!' and <= '~' && c != ':') || h.Header.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
                errors.Add($"{k}:Header: '{h.Header}' is not a usable HTTP header name (letters, digits and '-'; not Authorization: leave Header empty for basic auth)");
        }
        if (!h.Enabled)
        {
            if (!string.IsNullOrEmpty(h.Header))
                errors.Add($"{k}:SecretEnv: name the environment variable that holds the hook secret (Header is set, but no secret)");
            return;
        }
        if (string.IsNullOrEmpty(h.Secret))
        {
            var value = Environment.GetEnvironmentVariable(h.SecretEnv!);
            if (string.IsNullOrEmpty(value)) errors.Add($"{k}:SecretEnv: the environment variable '{h.SecretEnv}' is not set");
            else if (value.Length < 16) errors.Add($"{k}:SecretEnv: the secret in '{h.SecretEnv}' is shorter than 16 characters");
        }
        else if (h.Secret.Length < 16) errors.Add($"{k}:Secret: shorter than 16 characters");
    }
}
