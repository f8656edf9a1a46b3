namespace Alignment.Jira;

/// <summary>The value fields of a Jira source (<c>Sources:N:Fields</c>): given by id or by name, resolved through <c>/rest/api/{v}/field</c>.</summary>
public static class JiraValueFields
{
    /// <summary>A configured value field that is not an id (<c>customfield_N</c>) is a name: the field list resolves it.</summary>
    public static bool NeedFieldList(ValueFieldIds configured) =>
        configured.Configured().Any(c => !c.Field.StartsWith("customfield_", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Each configured value field by id, else by name (case-insensitive), through the field list; without a list (every field given by id)
    /// the ids as configured. A name the list does not know is not read (the run report says so).
    /// </summary>
    public static ValueFieldIds Resolve(ValueFieldIds configured, IReadOnlyList<JiraField>? fields)
    {
        string? One(string? wanted)
        {
            if (wanted is null) return null;
            if (fields is null) return wanted;
            return fields.FirstOrDefault(f => string.Equals(f.Id, wanted, StringComparison.OrdinalIgnoreCase))?.Id
                ?? fields.FirstOrDefault(f => string.Equals(f.Name?.Trim(), wanted, StringComparison.OrdinalIgnoreCase))?.Id;
        }
        return new ValueFieldIds(One(configured.BusinessValue), One(configured.TimeCriticality), One(configured.RiskReduction),
            One(configured.JobSize), One(configured.Budget));
    }

    public static IEnumerable<string> Describe(ValueFieldIds configured, ValueFieldIds resolved)
    {
        var ids = resolved.Configured().ToDictionary(c => c.Input, c => c.Field);
        foreach (var (input, field) in configured.Configured())
            yield return ids.TryGetValue(input, out var id) ? $"{input} {id}" : $"{input} '{field}' not found";
    }
}
