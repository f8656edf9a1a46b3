
namespace Alignment.UnitTests.Analysis;

/// <summary>SYNC-STALE and the staleness it rests on (<see cref="SyncFreshness"/>), against hand-built sync state.</summary>
public sealed class SyncStaleRuleTests
{
    private static readonly DateTimeOffset Now = SnapshotBuilder.Now;   // Wednesday 2025-03-12 09:00 UTC
    private const string Every15 = "*/15 * * * *";

    private static SyncStateRow State(string team, string status, DateTimeOffset? lastSuccess, DateTimeOffset? lastAttempt = null, string? error = null,
        string source = "jira") => new(source, team, lastAttempt ?? Now.AddMinutes(-5), lastSuccess, status, error, 42);

    private static SyncStateData Data(IEnumerable<SyncStateRow> states, Dictionary<(string, string), int>? quarantined = null,
        Dictionary<(string, string), DateTimeOffset>? first = null) =>
        new(states.ToList(), quarantined ?? [], first ?? []);

    private static List<Finding> Run(SyncStateData data, string cron = Every15, AnalysisOptions? options = null, string[]? teams = null)
    {
        var b = new SnapshotBuilder().Team("pay", "jira").Team("ledger", "jira");
        var snapshot = b.Build() with { Sync = new SnapshotSync([new SyncSourceScope("jira", "jira", cron, teams ?? ["pay", "ledger"])], data) };
        return Analyzer.Run(snapshot, options ?? new AnalysisOptions()).Findings.Where(f => f.Rule == RuleId.SyncStale).ToList();
    }

    private static SyncStateData AllFresh(params SyncStateRow[] others) =>
        Data(new[] { State("pay", "succeeded", Now.AddMinutes(-10)), State("ledger", "succeeded", Now.AddMinutes(-10)) }
            .Where(s => others.All(o => o.Team != s.Team)).Concat(others));

    [Fact]
    public void Flags_a_team_whose_last_run_failed_with_its_evidence_and_action()
    {
        var f = Assert.Single(Run(AllFresh(State("pay", "failed", Now.AddMinutes(-20), error: "401 Unauthorized from /rest/agile/1.0/board/12"))));

        Assert.Equal(Severity.Warning, f.Severity);
        Assert.Equal("pay", f.Team);
        Assert.Equal("failed", Assert.IsType<SyncStaleEvidence>(f.Evidence).Status);
        Assert.Equal(Now.AddMinutes(-20), Assert.IsType<SyncStaleEvidence>(f.Evidence).LastSuccess);
        Assert.Equal(Now.AddMinutes(-5), Assert.IsType<SyncStaleEvidence>(f.Evidence).LastAttempt);
        Assert.Equal("401 Unauthorized from /rest/agile/1.0/board/12", Assert.IsType<SyncStaleEvidence>(f.Evidence).Error);
        Assert.Equal(0, Assert.IsType<SyncStaleEvidence>(f.Evidence).QuarantinedItems);
        Assert.Contains("credentials", f.Action);
        Assert.Contains("GET /api/sources", f.Action);
        Assert.Contains("last run failed: 401 Unauthorized", f.Title);
    }

    [Fact]
    public void Does_not_fire_when_every_team_synced_successfully_within_twice_the_cron()
    {
        Assert.Empty(Run(AllFresh()));
    }

    [Fact]
    public void Flags_a_partial_run_with_its_quarantined_items()
    {
        var data = AllFresh(State("ledger", "partial", Now.AddMinutes(-5))) with
        {
            Quarantined = new Dictionary<(string, string), int> { [("jira", "ledger")] = 3 },
        };

        var f = Assert.Single(Run(data));

        Assert.Equal("ledger", f.Team);
        Assert.Equal(3, Assert.IsType<SyncStaleEvidence>(f.Evidence).QuarantinedItems);
        Assert.Contains("3 quarantined item(s)", f.Title);
        Assert.Equal(Severity.Warning, f.Severity);
    }

    [Fact]
    public void Boundary_a_last_success_exactly_twice_the_cron_ago_is_fresh_and_a_second_more_is_stale()
    {
        Assert.Empty(Run(AllFresh(State("pay", "succeeded", Now.AddMinutes(-30)))));

        var f = Assert.Single(Run(AllFresh(State("pay", "succeeded", Now.AddMinutes(-30).AddSeconds(-1)))));
        Assert.Equal("pay", f.Team);
        Assert.Equal(30.0, Assert.IsType<SyncStaleEvidence>(f.Evidence).StaleAfterMinutes);
        Assert.Contains("more than 2 × the 15 min sync interval", f.Title);
    }

    [Fact]
    public void Escalates_to_critical_when_the_last_success_is_older_than_a_day()
    {
        var warning = Assert.Single(Run(AllFresh(State("pay", "failed", Now.AddHours(-24)))));
        Assert.Equal(Severity.Warning, warning.Severity);

        var critical = Assert.Single(Run(AllFresh(State("pay", "failed", Now.AddHours(-24).AddMinutes(-1)))));
        Assert.Equal(Severity.Critical, critical.Severity);
        Assert.Equal(critical.Fingerprint, warning.Fingerprint);   // the same finding, its severity raised
    }

    [Fact]
    public void Escalation_follows_Analysis_SyncStaleCriticalHours()
    {
        var f = Assert.Single(Run(AllFresh(State("pay", "failed", Now.AddHours(-3))), options: new AnalysisOptions { SyncStaleCriticalHours = 2 }));
        Assert.Equal(Severity.Critical, f.Severity);
        Assert.Equal(2.0, Assert.IsType<SyncStaleEvidence>(f.Evidence).CriticalAfterHours);
    }

    [Fact]
    public void Never_synced_is_a_warning_until_a_day_of_attempts_then_critical()
    {
        var recent = Data([State("pay", "failed", null, error: "connection refused"), State("ledger", "succeeded", Now.AddMinutes(-3))],
            first: new() { [("jira", "pay")] = Now.AddHours(-2) });
        var f = Assert.Single(Run(recent));
        Assert.Equal(Severity.Warning, f.Severity);
        Assert.Null(Assert.IsType<SyncStaleEvidence>(f.Evidence).LastSuccess);
        Assert.Contains("never synced successfully", f.Title);

        var dayOfAttempts = recent with { FirstAttempts = new Dictionary<(string, string), DateTimeOffset> { [("jira", "pay")] = Now.AddHours(-25) } };
        Assert.Equal(Severity.Critical, Assert.Single(Run(dayOfAttempts)).Severity);
    }

    [Fact]
    public void A_configured_team_without_any_state_is_stale_as_never_synced()
    {
        var f = Assert.Single(Run(Data([State("pay", "succeeded", Now.AddMinutes(-3))])));
        Assert.Equal("ledger", f.Team);
        Assert.Equal("never", Assert.IsType<SyncStaleEvidence>(f.Evidence).Status);
        Assert.Equal(Severity.Warning, f.Severity);   // no attempts at all: nothing says it has been failing for a day
    }

    [Fact]
    public void A_team_without_its_own_state_goes_by_its_sources_last_run()
    {
        var run = new SyncStateRow("jira", "", Now.AddMinutes(-4), Now.AddMinutes(-40), "failed", "503 from /rest/api/3/search/jql", 7);
        var data = Data([State("pay", "succeeded", Now.AddMinutes(-3))]) with { SourceRuns = new Dictionary<string, SyncStateRow> { ["jira"] = run } };

        var f = Assert.Single(Run(data));

        Assert.Equal("ledger", f.Team);
        Assert.Equal("failed", Assert.IsType<SyncStaleEvidence>(f.Evidence).Status);
        Assert.Equal(Now.AddMinutes(-40), Assert.IsType<SyncStaleEvidence>(f.Evidence).LastSuccess);
        Assert.Equal("503 from /rest/api/3/search/jql", Assert.IsType<SyncStaleEvidence>(f.Evidence).Error);
        Assert.Empty(Run(data with { SourceRuns = new Dictionary<string, SyncStateRow> { ["jira"] = run with { Status = "succeeded", LastSuccess = Now.AddMinutes(-4) } } }));
    }

    [Fact]
    public void A_stale_source_wide_part_is_a_finding_without_a_team()
    {
        var f = Assert.Single(Run(AllFresh(State("", "failed", Now.AddHours(-2), error: "revisions: 503"))));
        Assert.Null(f.Team);
        Assert.Equal("jira", Assert.IsType<SyncStaleEvidence>(f.Evidence).Source);
        Assert.Contains("source-wide", f.Title);
    }

    [Fact]
    public void Without_a_cron_only_never_partial_or_failed_make_a_team_stale()
    {
        Assert.Empty(Run(AllFresh(State("pay", "succeeded", Now.AddDays(-30))), cron: ""));
        Assert.Single(Run(AllFresh(State("pay", "failed", Now.AddDays(-30))), cron: ""));
    }

    [Fact]
    public void Snapshot_without_sync_state_gives_no_finding()
    {
        var r = new SnapshotBuilder().Team("pay", "jira").Run();
        Assert.DoesNotContain(r.Findings, f => f.Rule == RuleId.SyncStale);
    }

    [Fact]
    public void Interval_is_the_gap_between_occurrences_around_now()
    {
        Assert.Equal(TimeSpan.FromMinutes(15), SyncFreshness.Interval(Every15, Now));
        Assert.Equal(TimeSpan.FromMinutes(15), SyncFreshness.Interval(Every15, Now.AddMinutes(7)));
        Assert.Equal(TimeSpan.FromHours(1), SyncFreshness.Interval("0 * * * *", Now.AddMinutes(20)));
        Assert.Equal(TimeSpan.FromSeconds(30), SyncFreshness.Interval("*/30 * * * * *", Now));
        Assert.Null(SyncFreshness.Interval("", Now));
        Assert.Null(SyncFreshness.Interval("not a cron", Now));
    }

    [Fact]
    public void A_weekend_pause_of_a_weekday_cron_does_not_make_monday_morning_stale()
    {
        var monday = new DateTimeOffset(2025, 3, 17, 9, 2, 0, TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromDays(3), SyncFreshness.Interval("0 9 * * 1-5", monday));
        var friday = new SyncStateRow("jira", "pay", monday.AddMinutes(-1), new DateTimeOffset(2025, 3, 14, 9, 1, 0, TimeSpan.Zero), "succeeded", null, 1);

        var s = Assert.Single(SyncFreshness.Assess([new SyncSourceScope("jira", "jira", "0 9 * * 1-5", ["pay"])], Data([friday]), monday));

        Assert.False(s.Stale);
    }

    [Fact]
    public void Source_aggregates_take_the_worst_status_the_oldest_success_and_the_total_quarantined()
    {
        var data = Data([State("pay", "partial", Now.AddMinutes(-5)), State("ledger", "failed", Now.AddMinutes(-50)), State("", "succeeded", Now.AddMinutes(-5))],
            quarantined: new() { [("jira", "pay")] = 2, [("jira", "")] = 1 });

        var s = Assert.Single(SyncFreshness.Assess([new SyncSourceScope("jira", "jira", Every15, ["pay", "ledger", "new"])], data, Now));

        Assert.Equal(["pay", "ledger", "new"], s.Teams.Select(t => t.Team));
        Assert.Equal("never", s.Teams[2].Status);
        Assert.Equal("failed", s.Status);
        Assert.Null(s.LastSuccess);                       // a team never succeeded
        Assert.Equal(3, s.QuarantinedItems);
        Assert.True(s.Stale);
        Assert.NotNull(s.SourceWide);
        Assert.False(s.SourceWide!.Stale);

        var two = Assert.Single(SyncFreshness.Assess([new SyncSourceScope("jira", "jira", Every15, ["pay", "ledger"])], data, Now));
        Assert.Equal(Now.AddMinutes(-50), two.LastSuccess);
        Assert.Equal(Now.AddMinutes(-5), two.LastAttempt);
    }

    [Fact]
    public void Worst_status_order_puts_failed_first_and_succeeded_last()
    {
        Assert.Equal("failed", SyncPartStatus.Worst(["succeeded", "partial", "failed", "never"]));
        Assert.Equal("never", SyncPartStatus.Worst(["succeeded", "partial", "never"]));
        Assert.Equal("partial", SyncPartStatus.Worst(["succeeded", "running", "partial"]));
        Assert.Equal("succeeded", SyncPartStatus.Worst(["succeeded"]));
    }
}
