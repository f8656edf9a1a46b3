
namespace Alignment.UnitTests.Reporting;

/// <summary>The MI's figures over their configured windows: say/do over <c>Analysis:SayDoSprints</c>, velocity over <c>Analysis:VelocitySprints</c>.</summary>
public sealed class MiWindowTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Payments: committed 10, 10, 20, 10 and completed 8, 10, 10, 5 (oldest first); ledger: 10/10 and 10/6.</summary>
    private static MiBuilder.MiInput Input()
    {
        var input = new MiBuilder.MiInput { FiguresAvailable = true };
        input.Teams.Add(new MiBuilder.TeamRow("payments", "Payments", "jira", "Jira"));
        input.Teams.Add(new MiBuilder.TeamRow("ledger", "Ledger", "ado", "AzureDevOps"));
        (double Committed, double Completed)[] pay = [(10, 8), (10, 10), (20, 10), (10, 5)];
        for (var i = 0; i < pay.Length; i++) input.Figures.Add(Figure("payments", "jira", i, pay[i].Committed, pay[i].Completed));
        input.Figures.Add(Figure("ledger", "ado", 0, 10, 10));
        input.Figures.Add(Figure("ledger", "ado", 1, 10, 6));
        return input;
    }

    private static MiBuilder.FigureRow Figure(string team, string source, int i, double committed, double completed) =>
        new(team, source, $"s{i + 1}", $"Sprint {i + 1}", "closed", new DateTime(2026, 1, 1).AddDays(14 * i), new DateTime(2026, 1, 15).AddDays(14 * i),
            "observed", committed, completed, completed / committed, 10, CarriedOverPoints: 0);

    private static MiTeam Team(MiSnapshot s, string id) => s.Teams.Teams.Single(t => t.Id == id);

    [Theory]
    [InlineData(1, 5.0 / 10, 6.0 / 10, 11.0 / 20)]
    [InlineData(2, 15.0 / 30, 16.0 / 20, 31.0 / 50)]
    [InlineData(3, 25.0 / 40, 16.0 / 20, 41.0 / 60)]   // the old fixed window
    [InlineData(5, 33.0 / 50, 16.0 / 20, 49.0 / 70)]   // longer than the history: every closed sprint
    public void Say_do_sums_the_configured_number_of_last_closed_sprints(int sayDoSprints, double payments, double ledger, double organisation)
    {
        var s = MiBuilder.Build(Input(), Now, new MiWindows(VelocitySprints: 6, SayDoSprints: sayDoSprints));

        Assert.Equal(payments, Team(s, "payments").SayDo.Value!.Value, 12);
        Assert.Equal(ledger, Team(s, "ledger").SayDo.Value!.Value, 12);
        Assert.Equal(organisation, s.Overview.SayDo.Value!.Value, 12);
        Assert.Equal(Math.Min(sayDoSprints, 4), Team(s, "payments").Sprints.Count(x => x.UsedFor.Contains("sayDo")));
        Assert.Contains($"last {sayDoSprints} closed sprints", Team(s, "payments").SayDo.Definition);
        Assert.Contains($"last {sayDoSprints} closed sprints", s.Overview.SayDo.Definition);
    }

    [Fact]
    public void Velocity_figures_and_the_organisation_series_cover_the_velocity_window()
    {
        var s = MiBuilder.Build(Input(), Now, new MiWindows(VelocitySprints: 3, SayDoSprints: 3));

        var pay = Team(s, "payments");
        Assert.Equal(10, pay.VelocityP50.Value);                   // 10, 10, 5
        Assert.Equal(-2.5, pay.VelocityTrend.Value!.Value, 12);     // (5 − 10) ÷ 2
        Assert.Equal(["s2", "s3", "s4"], pay.Sprints.Where(x => x.UsedFor.Contains("velocityP50")).Select(x => x.Id));
        Assert.Equal([-2, -1, 0], s.Overview.Velocity.Select(p => p.Sprint));    // 4 closed sprints, 3 in the window
        Assert.Equal(11, s.Overview.Velocity[^1].Completed);        // payments' last 5 plus ledger's last 6
    }
}
