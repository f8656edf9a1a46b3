namespace Alignment.Application.Configuration;

/// <summary>The keys of the monthly management report, <c>Alignment:Mi:Report</c> (README, "Monthly management report").</summary>
public sealed partial class AlignmentOptionsValidator
{
    private static void Report(MiReportOptions r, List<string> errors)
    {
        const string k = "Alignment:Mi:Report";
        if (CronError(r.Cron) is { } why)
            errors.Add($"{k}:Cron: '{r.Cron}' is not a cron expression (five fields, in {k}:TimeZone; empty disables the e-mail): {why}");
        try { _ = TimeZoneInfo.FindSystemTimeZoneById(r.TimeZone); }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            errors.Add($"{k}:TimeZone: '{r.TimeZone}' is not a known time zone (e.g. Europe/Amsterdam, UTC)");
        }
        for (var i = 0; i < r.Recipients.Count; i++)
            if (!IsAddress(r.Recipients[i] ?? ""))
                errors.Add($"{k}:Recipients:{i}: '{r.Recipients[i]}' is not an e-mail address (name@domain)");
        if (r.Months is < 3 or > 36) errors.Add($"{k}:Months: {r.Months} must be between 3 and 36 (months of trend, the report's own included)");
        if (r.TopRisks is < 1 or > 100) errors.Add($"{k}:TopRisks: {r.TopRisks} must be between 1 and 100");
    }
}
