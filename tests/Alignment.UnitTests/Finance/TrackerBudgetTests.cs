namespace Alignment.UnitTests.Finance;

/// <summary>An epic's budget from its tracker's Budget field (Sources:N:Fields), with configuration winning where both name the epic.</summary>
public sealed class TrackerBudgetTests
{
    private static SnapshotItem Item(string key, WorkItemType type, double? budget) =>
        new("jira", key, key, "https://x/" + key, type, "t", StatusCategory.Todo, null, "pay", null, [], null, null,
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null, null, budget is null ? null : new ItemValue(null, null, null, null, budget));

    [Fact]
    public void Epics_with_a_budget_field_get_that_budget_unless_configuration_names_them()
    {
        var items = new[]
        {
            Item("E1", WorkItemType.Epic, 50000), Item("E2", WorkItemType.Epic, 0), Item("E3", WorkItemType.Epic, null),
            Item("F1", WorkItemType.Feature, 9000), Item("E4", WorkItemType.Epic, 70000),
        };
        var options = new AlignmentOptions();
        options.Finance.Budgets.Add(new BudgetOptions { Source = "jira", Epic = "E4", Amount = 60000 });

        var budgets = FinanceInput.From(options, FinanceInput.FromTrackers(items)).Budgets;

        Assert.Equal(["E1", "E4"], budgets.Keys.Select(k => k.Epic).Order());
        Assert.Equal(new EpicBudget("jira", "E1", 50000, BudgetOrigin.Tracker), budgets[("jira", "E1")]);
        Assert.Equal(BudgetOrigin.Configuration, budgets[("jira", "E4")].Origin);
        Assert.Equal(60000, budgets[("jira", "E4")].Amount);
        Assert.True(FinanceInput.From(new AlignmentOptions(), FinanceInput.FromTrackers(items)).Configured);
    }
}
