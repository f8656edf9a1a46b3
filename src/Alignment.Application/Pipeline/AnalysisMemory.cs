namespace Alignment.Application.Pipeline;

/// <summary>
/// What this process's last analysis read and wrote, kept for the next one (docs/architecture.md, "Incremental analysis"): the snapshot
/// image, the change-log position it includes, the id of the run and what it wrote. One per process; only the analysis (under its
/// advisory lock) reads and replaces it.
/// </summary>
public sealed class AnalysisMemory
{
    public sealed record State(SnapshotImage Image, long Through, long RunId, WrittenAnalysis Written, ForecastMemo? Forecasts);

    private volatile State? _state;

    public State? Current => _state;

    public void Remember(State state) => _state = state;

    public void Forget() => _state = null;
}
