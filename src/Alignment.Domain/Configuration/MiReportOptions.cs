namespace Alignment.Domain.Configuration;

/// <summary>
/// <c>Alignment:Mi:Report</c>: the monthly management report (README, "Monthly management report"), e-mailed through the advice outbox
/// (and its <c>Advice:Smtp</c>) once per month and recipient, and served as a printable page at <c>GET /api/mi/report?month=</c>.
/// </summary>
public sealed class MiReportOptions
{
    /// <summary>Cron of the recurring <c>report:monthly</c> job, in <see cref="TimeZone"/>; empty disables it (the page still works).</summary>
    public string Cron { get; set; } = "0 7 1 * *";
    /// <summary>IANA (or Windows) time zone of <see cref="Cron"/> and of "the last complete month".</summary>
    public string TimeZone { get; set; } = "Europe/Amsterdam";
    /// <summary>E-mail addresses (name@domain) that receive the report.</summary>
    public List<string> Recipients { get; set; } = [];
    /// <summary>Also send it to the <c>Email</c> of every API key with the management role (<c>Alignment:Auth:ApiKeys</c>).</summary>
    public bool ManagementKeys { get; set; } = true;
    /// <summary>Months of trend in the charts and tables, the report's month included (3–36).</summary>
    public int Months { get; set; } = 12;
    /// <summary>Open findings listed under "top risks", and late epics listed (1–100).</summary>
    public int TopRisks { get; set; } = 10;
}
