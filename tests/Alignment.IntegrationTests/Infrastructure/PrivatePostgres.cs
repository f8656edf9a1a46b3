using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Alignment.IntegrationTests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster of its own (never the shared one the other tests use), for tests that stop and
/// start the server. Built like dev.sh does: the binaries under /usr/lib/postgresql/*/bin, run as 'postgres' through
/// runuser when the tests run as root (PostgreSQL refuses root), in a temp folder that <see cref="DisposeAsync"/>
/// removes after stopping the server, whatever the tests did.
/// </summary>
public sealed class PrivatePostgres : IAsyncLifetime
{
    /// <summary>The alignment role's password: tests check it never shows in an answer.</summary>
    public const string Password = "outage-pw-7f3a9c";

    private static readonly bool IsRoot = Environment.UserName == "root";
    private string _bin = "", _dir = "", _data = "";

    public int Port { get; private set; }
    private string AdminConnection => $"Host=127.0.0.1;Port={Port};Database=postgres;Username=postgres;Pooling=false;Timeout=5";

    public async Task InitializeAsync()
    {
        _bin = Directory.GetDirectories("/usr/lib/postgresql")
            .Select(v => Path.Combine(v, "bin"))
            .Where(b => File.Exists(Path.Combine(b, "initdb")) && File.Exists(Path.Combine(b, "pg_ctl")))
            .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var n) ? n : 0)
            .FirstOrDefault() ?? throw new InvalidOperationException("no PostgreSQL binaries under /usr/lib/postgresql/*/bin (./dev.sh installs them)");
        try
        {
            _dir = Path.Combine(IsRoot ? "/var/tmp" : Path.GetTempPath(), $"alignment-outage-{Guid.NewGuid():N}"[..32]);
            Directory.CreateDirectory(_dir);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(_dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            if (IsRoot) await RunAsync("chown", "postgres", _dir);
            _data = Path.Combine(_dir, "data");
            await AsPgAsync(Path.Combine(_bin, "initdb"), "-D", _data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync");
            Port = AlignmentProcess.FreePort();
            await StartAsync();
            await using var admin = new NpgsqlConnection(AdminConnection);
            await admin.OpenAsync();
            await admin.ExecuteAsync($"CREATE ROLE alignment LOGIN CREATEDB PASSWORD '{Password}'");
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>A new, migrated database owned by 'alignment'; its connection string carries the password.</summary>
    public async Task<string> NewDatabaseAsync()
    {
        var name = $"alignment_{Guid.NewGuid():N}"[..24];
        await using (var admin = new NpgsqlConnection(AdminConnection))
        {
            await admin.OpenAsync();
            await admin.ExecuteAsync($"CREATE DATABASE {name} OWNER alignment");
        }
        var cs = $"Host=127.0.0.1;Port={Port};Database={name};Username=alignment;Password={Password}";
        await using var ds = Database.CreateDataSource(cs);
        await new Migrator(ds, NullLogger<Migrator>.Instance).MigrateAsync();
        return cs;
    }

    /// <summary>Starts the server (waits until it accepts connections); nothing when it runs already.</summary>
    public async Task StartAsync()
    {
        if (await IsRunningAsync()) return;
        await AsPgAsync(Path.Combine(_bin, "pg_ctl"), "-D", _data, "-l", Path.Combine(_dir, "server.log"), "-w", "-t", "30",
            "-o", $"-p {Port} -c listen_addresses=127.0.0.1 -k {_dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off", "start");
    }

    /// <summary><c>pg_ctl stop -m fast</c>: open sessions are terminated (57P01), new ones refused until <see cref="StartAsync"/>.</summary>
    public Task StopAsync() => AsPgAsync(Path.Combine(_bin, "pg_ctl"), "-D", _data, "-m", "fast", "-w", "-t", "30", "stop");

    private async Task<bool> IsRunningAsync()
    {
        var (code, _) = await TryRunAsync(PgCommand(Path.Combine(_bin, "pg_ctl"), "status", "-D", _data));
        return code == 0;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_data.Length > 0 && File.Exists(Path.Combine(_data, "postmaster.pid")))
            await TryRunAsync(PgCommand(Path.Combine(_bin, "pg_ctl"), "-D", _data, "-m", "immediate", "-w", "-t", "30", "stop"));
        if (_dir.Length > 0 && Directory.Exists(_dir))
            try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private Task AsPgAsync(string file, params string[] args) => RunAsync(PgCommand(file, args));

    private static string[] PgCommand(string file, params string[] args) => IsRoot ? ["runuser", "-u", "postgres", "--", file, .. args] : [file, .. args];

    private static async Task RunAsync(params string[] command)
    {
        var (code, output) = await TryRunAsync(command);
        if (code != 0) throw new InvalidOperationException($"`{string.Join(' ', command)}` exited {code}: {output}");
    }

    private static async Task<(int Code, string Output)> TryRunAsync(string[] command)
    {
        var psi = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/" };
        foreach (var a in command.Skip(1)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (p.ExitCode, await stdout + await stderr);
    }
}
