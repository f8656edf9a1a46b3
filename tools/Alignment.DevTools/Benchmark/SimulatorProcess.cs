using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Alignment.DevTools.Benchmark;

/// <summary>
/// <c>alignment simulate</c> as a child process, so the organisation it holds in memory does not count
/// towards the benchmark's RSS. Killed (with its process tree) when disposed.
/// </summary>
public sealed class SimulatorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    private SimulatorProcess(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
        // Ctrl+C: System.CommandLine stops waiting for the action after a short grace period and the process
        // exits with 130 before the `await using` disposal may have run; the child must not outlive it.
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    private void OnProcessExit(object? sender, EventArgs e) => Kill();

    private void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { /* already gone */ }
        catch (System.ComponentModel.Win32Exception) { /* already gone */ }
    }

    public string BaseUrl { get; }

    /// <summary>The simulator process's CPU time so far (user + system; <c>dotnet alignment-dev.dll</c> runs the simulator in this process).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static async Task<SimulatorProcess> StartAsync(int teams, int items, int links, int seed, HttpClient http, CancellationToken ct)
    {
        var port = Ports.Free();
        var self = typeof(SimulatorProcess).Assembly.Location; // alignment.dll
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The organisation's last change lies a quarter of an hour before the benchmark starts, beyond a sync's overlap window
        // (Sync:OverlapMinutes, default 5): an unchanged incremental sync then re-reads nothing, as the figure means.
        var now = Cli.SimulateVerb.DefaultNow(DateTimeOffset.UtcNow.AddMinutes(-15)).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var a in new[] { self, "simulate", "--port", Str(port), "--teams", Str(teams), "--items", Str(items), "--links", Str(links), "--seed", Str(seed),
                     "--now", now })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the simulator process");
        var sim = new SimulatorProcess(process, $"http://127.0.0.1:{Str(port)}");
        process.OutputDataReceived += (_, e) => sim.Append(e.Data);
        process.ErrorDataReceived += (_, e) => sim.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            // Generating 200,000 items takes a while; poll /_sim/config until it answers.
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                if (process.HasExited)
                    throw new InvalidOperationException($"the simulator exited with code {process.ExitCode}: {sim.Output()}");
                if (deadline.Elapsed > TimeSpan.FromMinutes(10))
                    throw new TimeoutException("the simulator did not answer /_sim/config within 10 minutes");
                try
                {
                    using var probe = await http.GetAsync(sim.BaseUrl + "/_sim/config", ct);
                    if (probe.IsSuccessStatusCode) return sim;
                }
                catch (HttpRequestException) { /* not listening yet */ }
                await Task.Delay(100, ct);
            }
        }
        catch
        {
            await sim.DisposeAsync();
            throw;
        }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private string Output()
    {
        lock (_output) return _output.ToString().Trim();
    }

    private static string Str(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);


    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        Kill();
        try { await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)); }
        catch (InvalidOperationException) { /* never started */ }
        catch (TimeoutException) { /* the OS will reap it */ }
        _process.Dispose();
    }
}
