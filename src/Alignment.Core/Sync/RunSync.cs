using Mediator;

namespace Alignment.Core.Sync;

/// <summary>Runs one sync now, in this process (the Hangfire job and the CLI send it).</summary>
public sealed record RunSyncCommand(SyncRequest Request) : ICommand<SyncRunResult>
{
    public IProgress<SyncProgress>? Progress { get; init; }
}

internal sealed class RunSyncHandler(SyncRunner runner) : ICommandHandler<RunSyncCommand, SyncRunResult>
{
    public async ValueTask<SyncRunResult> Handle(RunSyncCommand command, CancellationToken ct) =>
        await runner.RunAsync(command.Request, command.Progress, ct);
}
