using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Alignment.IntegrationTests.Infrastructure;

/// <summary>The <c>alignment</c> executable as a user runs it: a separate process (the test output holds alignment.dll).</summary>
public static class AlignmentProcess
{
    /// <summary>A process start for <c>dotnet alignment.dll args…</c> on <paramref name="connectionString"/>, with the test tokens in the environment.</summary>
    public static ProcessStartInfo StartInfo(string connectionString, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "alignment.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["ConnectionStrings__Alignment"] = connectionString;
        psi.Environment[Configs.JiraTokenEnv] = Configs.JiraToken;
        psi.Environment[Configs.AdoTokenEnv] = Configs.AdoToken;
        psi.Environment["COLUMNS"] = "160";
        psi.Environment.Remove("ASPNETCORE_URLS");
        return psi;
    }

    /// <summary>Runs a verb to its end; returns the exit code and everything it printed.</summary>
    public static async Task<(int Code, string Output)> RunAsync(string connectionString, params string[] args)
    {
        using var p = Process.Start(StartInfo(connectionString, args))!;
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
