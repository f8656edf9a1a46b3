using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Alignment.IntegrationTests.Infrastructure;

/// <summary>The <c>alignment</c> executable as a user runs it: a separate process (the test output holds alignment.dll).</summary>
public static class AlignmentProcess
{
    /// <summary>A process start for <c>dotnet alignment.dll args…</c> on <paramref name="connectionString"/>, with the test tokens in the environment.</summary>
    public static ProcessStartInfo StartInfo(string connectionString, params string[] args) => StartInfoOf("alignment.dll", connectionString, args);

    /// <summary>The developer tools executable (<c>alignment-dev</c>: simulate, demo, bench), which the service image does not contain.</summary>
    public static ProcessStartInfo DevStartInfo(string connectionString, params string[] args) => StartInfoOf("alignment-dev.dll", connectionString, args);

    private static ProcessStartInfo StartInfoOf(string dll, string connectionString, string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["ConnectionStrings__Alignment"] = connectionString;
        psi.Environment[Configs.JiraTokenEnv] = Configs.JiraToken;
        psi.Environment[Configs.AdoTokenEnv] = Configs.AdoToken;
        psi.Environment["COLUMNS"] = "160";
        psi.Environment.Remove("ASPNETCORE_URLS");
        return psi;
    }

    /// <summary>Runs a verb to its end; returns the exit code and everything it printed.</summary>
    public static Task<(int Code, string Output)> RunAsync(string connectionString, params string[] args) => RunAsync(StartInfo(connectionString, args));

    /// <summary>Runs a verb of <c>alignment-dev</c> to its end.</summary>
    public static Task<(int Code, string Output)> RunDevAsync(string connectionString, params string[] args) => RunAsync(DevStartInfo(connectionString, args));

    private static async Task<(int Code, string Output)> RunAsync(ProcessStartInfo start)
    {
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        return (p.ExitCode, await stdout + await stderr);
    }

    /// <summary>A loopback port free at the time of asking.</summary>
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
