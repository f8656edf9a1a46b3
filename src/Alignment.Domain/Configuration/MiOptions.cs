namespace Alignment.Domain.Configuration;

/// <summary><c>Alignment:Mi</c>: the management information's history (docs/figures.md, "History").</summary>
public sealed class MiOptions
{
    /// <summary>Days of history kept (one value per figure, team and day); older days are pruned after each analysis. 30–3650.</summary>
    public int HistoryRetentionDays { get; set; } = 730;
    /// <summary>The monthly management report.</summary>
    public MiReportOptions Report { get; set; } = new();
}
