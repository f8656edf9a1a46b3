using Mediator;

namespace Alignment.Core.Sync;

/// <summary>Runs one sync now, in this process (the Hangfire job and the CLI send it).</summary>
public sealed record RunSyncCommand(SyncRequest Request) : ICommand<SyncRunResult>
{
    public IProgress<SyncProgress>? Progress { get; init; }
}

internal sealed class RunSyncHandler(SyncRunner runner, IMediator mediator) : ICommandHandler<RunSyncCommand, SyncRunResult>
{
    public async ValueTask<SyncRunResult> Handle(RunSyncCommand command, CancellationToken ct)
    {
        var result = await runner.RunAsync(command.Request, command.Progress, ct);
        // The source's sprint figures follow the store, and this sync's view of each sprint is an observed snapshot.
        if (result.Wrote)
            await mediator.Send(new Sprints.RefreshSprintFiguresCommand(result.SourceId, command.Request.TeamId, RecordSnapshots: true), ct);
        return result;
    }
}
