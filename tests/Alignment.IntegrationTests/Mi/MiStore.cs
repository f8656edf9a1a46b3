using Alignment.IntegrationTests.Infrastructure;
using Dapper;

namespace Alignment.IntegrationTests.Mi;

/// <summary>
/// A hand-built store with known MI answers (on top of <see cref="Configs.TwoTeams"/>: payments on Jira, ledger on Azure DevOps).
/// The expected figures are worked out in the comments and asserted by <see cref="MiEndpointTests"/>.
/// </summary>
public static class MiStore
{
    public const string XssTitle = "Checkout <img src=x onerror=alert(1)> flow";
    public const string EpicWithComma = "Instant \"payouts\", phase 1";

    public static async Task SeedAsync(TestDatabase db)
    {
        var now = DateTime.UtcNow;
        var today = now.Date;
        await using var conn = await db.DataSource.OpenConnectionAsync();

        async Task Sprint(string source, string id, string name, string state, DateTime start, DateTime end, params string[] teams)
        {
            await conn.ExecuteAsync("""
                INSERT INTO core.sprints (source_id, external_id, name, state, start_at, end_at, completed_at)
                VALUES (@source, @id, @name, @state, @start, @end, CASE WHEN @state = 'closed' THEN @end END)
                """, new { source, id, name, state, start, end });
            foreach (var t in teams)
                await conn.ExecuteAsync("INSERT INTO core.team_sprints (team_id, source_id, sprint_id) VALUES (@t, @source, @id)", new { t, source, id });
        }
        async Task Figure(string team, string source, string sprint, double committed, double completed, double? days)
        {
            await conn.ExecuteAsync("""
                INSERT INTO analysis.sprint_figures (team_id, source_id, sprint_id, basis, committed_points, completed_points, added_points,
                    removed_points, carried_over_points, committed_count, completed_count, added_count, removed_count, carried_over_count,
                    carried_over_twice_count, unestimated_count, say_do, capacity_days)
                VALUES (@team, @source, @sprint, 'reconstructed', @committed, @completed, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0,
                        CASE WHEN @committed > 0 THEN @completed / @committed END, @days)
                """, new { team, source, sprint, committed, completed, days });
        }
        async Task Item(string source, string key, string type, string title, string category, double? points, string? team,
            string? sprint = null, string? parent = null, DateTime? due = null)
        {
            await conn.ExecuteAsync("""
                INSERT INTO core.work_items (source_id, external_id, key, url, type, original_type, title, status, status_category, story_points,
                    team_id, sprint_id, parent_key, created_at, updated_at, due_date, sprint_ids)
                VALUES (@source, @key, @key, 'https://tracker.example/' || @key, @type, @type, @title, @category, @category, @points,
                    @team, @sprint, @parent, now() - interval '60 days', now(), @due::date, CASE WHEN @sprint IS NULL THEN '{}' ELSE ARRAY[@sprint] END)
                """, new { source, key, type, title, category, points, team, sprint, parent, due });
            if (sprint is not null)
                await conn.ExecuteAsync("INSERT INTO core.sprint_items (source_id, sprint_id, item_external_id) VALUES (@source, @sprint, @key)",
                    new { source, sprint, key });
        }
        async Task Link(string reporter, string fromSource, string fromKey, string toSource, string toKey)
        {
            await conn.ExecuteAsync("""
                INSERT INTO core.links (reporter_source_id, reporter_external_id, from_source_id, from_key, to_source_id, to_key, kind, origin)
                VALUES (@rs, @reporter, @fromSource, @fromKey, @toSource, @toKey, 'dependency', 'test')
                """, new { rs = reporter == fromKey ? fromSource : toSource, reporter, fromSource, fromKey, toSource, toKey });
        }

        // Payments (Jira): four closed sprints, completed 8, 10, 10, 5 → P50 9, trend -0.9; say/do last 3 = 25/40 = 0.625.
        for (int i = 1; i <= 4; i++)
            await Sprint("jira", $"s{i}", $"PAY Sprint {i}", "closed", today.AddDays(-14 * (6 - i)), today.AddDays(-14 * (5 - i)), "payments");
        await Figure("payments", "jira", "s1", 10, 8, 10);
        await Figure("payments", "jira", "s2", 10, 10, 10);
        await Figure("payments", "jira", "s3", 20, 10, 10);
        await Figure("payments", "jira", "s4", 10, 5, 10);
        // Active sprint s5: 3 + 5 + unestimated + 2 (+ a removed 8) → committed 10; capacity 2 × 4 = 8 days → 9 × 8/10 = 7.2 points; use 10/7.2.
        await Sprint("jira", "s5", "PAY Sprint 5", "active", today.AddDays(-4), today.AddDays(10), "payments");
        await conn.ExecuteAsync("""
            INSERT INTO core.capacities (team_id, source_id, sprint_id, member, hours_per_day, available_days, days_off)
            VALUES ('payments', 'jira', 's5', 'ann', 6, 4, 6), ('payments', 'jira', 's5', 'piet', 6, 4, 6)
            """);
        await Item("jira", "PAY-1", "story", XssTitle, "todo", 3, "payments", "s5");
        await Item("jira", "PAY-2", "story", "Refund API", "inProgress", 5, "payments", "s5");
        await Item("jira", "PAY-3", "story", "Unestimated spike", "todo", null, "payments", "s5");
        await Item("jira", "PAY-4", "story", "Dropped", "removed", 8, "payments", "s5");
        await Item("jira", "PAY-5", "story", "Ledger export hook", "todo", 2, "payments", "s5");
        await Item("jira", "PAY-6", "story", "Done dependency", "done", 1, "payments", "s4");

        // Ledger (Azure DevOps): closed 10/10 and 10/6 → P50 8, trend -4, say/do 16/20 = 0.8; active L3 with 5 points, no capacity → 5/8.
        await Sprint("ado", "L1", "Ledger 1", "closed", today.AddDays(-42), today.AddDays(-28), "ledger");
        await Sprint("ado", "L2", "Ledger 2", "closed", today.AddDays(-28), today.AddDays(-14), "ledger");
        await Figure("ledger", "ado", "L1", 10, 10, null);
        await Figure("ledger", "ado", "L2", 10, 6, null);
        await Sprint("ado", "L3", "Ledger 3", "active", today.AddDays(-7), today.AddDays(21), "ledger");
        await Sprint("ado", "L4", "Ledger 4", "future", today.AddDays(21), today.AddDays(35), "ledger");
        await Item("ado", "101", "story", "Posting rules", "inProgress", 5, "ledger", "L3");
        await Item("ado", "102", "story", "Currency table", "todo", 3, "ledger");
        await Item("ado", "103", "story", "Import payments", "todo", 2, "ledger", "L4");
        await Item("ado", "104", "story", "Old blocker", "todo", 1, "ledger");

        // Dependencies: PAY-1 → 102 unscheduled blocker (at risk; reported from both ends, counts once); PAY-2 → 101 in an
        // overlapping sprint (at risk); 103 → PAY-5 that ends before L4 starts (fine); PAY-6 is done (not open).
        await Link("PAY-1", "jira", "PAY-1", "ado", "102");
        await Link("102", "jira", "PAY-1", "ado", "102");
        await Link("PAY-2", "jira", "PAY-2", "ado", "101");
        await Link("103", "ado", "103", "jira", "PAY-5");
        await Link("PAY-6", "jira", "PAY-6", "ado", "104");

        // Epics: PAY-100 past its target without a forecast → late (5 of 8 points done, one unestimated item of ledger);
        // PAY-200 forecast P50 before and P85 after the target → atRisk; 500 without a target → noTarget; PAY-300 done.
        await Item("jira", "PAY-100", "epic", XssTitle, "inProgress", null, "payments", due: today.AddDays(-10));
        await Item("jira", "PAY-110", "feature", "Feature", "inProgress", 13, "payments", parent: "PAY-100");
        await Item("jira", "PAY-111", "story", "Done story", "done", 5, "payments", parent: "PAY-110");
        await Item("jira", "PAY-112", "story", "Open story", "todo", 3, "payments", parent: "PAY-100");
        await Item("jira", "PAY-113", "story", "Ledger part", "todo", null, "ledger", parent: "PAY-100");
        await Item("jira", "PAY-200", "epic", EpicWithComma, "todo", null, "payments", due: today.AddDays(30));
        await Item("jira", "PAY-201", "story", "Payout story", "todo", 2, "payments", parent: "PAY-200");
        await conn.ExecuteAsync("""
            INSERT INTO analysis.epic_forecasts (source_id, epic_key, team_id, forecast, computed_at)
            VALUES ('jira', 'PAY-200', 'payments', jsonb_build_object('status', 'forecast', 'p50', @p50, 'p85', @p85, 'reasons', '[]'::jsonb), now())
            """, new { p50 = today.AddDays(20).ToString("yyyy-MM-dd"), p85 = today.AddDays(40).ToString("yyyy-MM-dd") });
        await Item("ado", "500", "epic", "Ledger rewrite", "inProgress", null, "ledger");
        await Item("ado", "501", "story", "Ledger story", "done", 5, "ledger", parent: "500");
        await Item("jira", "PAY-300", "epic", "Shipped", "done", null, "payments", due: today.AddDays(-30));

        // Findings: two open (acknowledged counts as open), one resolved (does not).
        await conn.ExecuteAsync("""
            INSERT INTO analysis.findings (fingerprint, rule, severity, status, team_id, title, evidence, action, score, first_seen, last_seen, status_changed_at)
            VALUES ('f1', 'DEP-LATE', 'critical', 'open', 'payments', 'Late blocker', '{}', 'Plan it', 1, now(), now(), now()),
                   ('f2', 'CAP-SAYDO', 'warning', 'acknowledged', 'payments', 'Low say/do', '{}', 'Commit less', 1, now(), now(), now()),
                   ('f3', 'DRIFT-STALE', 'info', 'resolved', 'ledger', 'Stale', '{}', 'Update', 1, now(), now(), now())
            """);
    }
}
