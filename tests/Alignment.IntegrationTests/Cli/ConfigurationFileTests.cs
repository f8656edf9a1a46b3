using Alignment.IntegrationTests.Infrastructure;

namespace Alignment.IntegrationTests.Cli;

/// <summary>
/// A configuration file that is not valid JSON (the <c>--config</c> file or an appsettings file) stops the real
/// <c>alignment</c> process with one line naming the file and where the mistake is, and exit code 2: no stack trace.
/// The process stops before it touches the database, so none is needed.
/// </summary>
public sealed class ConfigurationFileTests
{
    private const string NoDatabase = "Host=127.0.0.1;Port=9;Database=none;Username=none";

    // Line 3 misses the comma after "Jira": "Source" is where the parser stops.
    private const string Broken = """
        {
          "Alignment": {
            "Teams": [ { "Id": "payments", "Name": "Payments" "Source": "jira" } ]
          }
        }
        """;

    private static void AssertOneClearLine(int code, string output, string file)
    {
        Assert.True(code == 2, $"exit {code}: {output}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("alignment: configuration error: ", line);
        Assert.Contains(file, line);
        Assert.Contains("line 3, position", line);
        Assert.DoesNotContain("Exception", output);
        Assert.DoesNotContain("   at ", output);
    }

    [Theory]
    [InlineData("sync")]
    [InlineData("serve")]
    public async Task A_config_file_with_a_json_syntax_error_names_the_file_and_line_and_exits_2(string verb)
    {
        var file = Path.Combine(Path.GetTempPath(), $"alignment-broken-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, Broken);
        try
        {
            var (code, output) = await AlignmentProcess.RunAsync(NoDatabase, verb, "--config", file);
            AssertOneClearLine(code, output, file);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public async Task An_appsettings_file_with_a_json_syntax_error_names_the_file_and_line_and_exits_2()
    {
        // appsettings.{Environment}.json next to the executable, for an environment only this process runs in.
        var environment = $"Broken{Guid.NewGuid():N}"[..16];
        var file = Path.Combine(AppContext.BaseDirectory, $"appsettings.{environment}.json");
        await File.WriteAllTextAsync(file, Broken);
        try
        {
            var psi = AlignmentProcess.StartInfo(NoDatabase, "migrate");
            psi.Environment["DOTNET_ENVIRONMENT"] = environment;
            psi.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
            using var p = System.Diagnostics.Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
            AssertOneClearLine(p.ExitCode, await stdout + await stderr, file);
        }
        finally { File.Delete(file); }
    }
}
