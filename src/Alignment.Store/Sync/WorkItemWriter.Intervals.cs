using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Alignment.Store.Sync;

public sealed partial class WorkItemWriter
{
    /// <summary>The team's planning intervals from its tracker, replacing the stored ones (docs/figures.md, "Intervals from the trackers").</summary>
    private static IEnumerable<NpgsqlBatchCommand> TeamIntervalsCommands(string sourceId, string teamId, TeamSprints sprints)
    {
        if (sprints.Intervals is not { } intervals) yield break;
        yield return new NpgsqlBatchCommand("DELETE FROM core.team_intervals WHERE team_id = @teamId")
        {
            Parameters = { new NpgsqlParameter("teamId", teamId) },
        };
        foreach (var iv in intervals)
            yield return new NpgsqlBatchCommand("""
                INSERT INTO core.team_intervals (team_id, source_id, interval_id, start_day, end_day, sprint_ids)
                VALUES (@teamId, @sourceId, @id, @start, @end, @sprints)
                """)
            {
                Parameters =
                {
                    new NpgsqlParameter("teamId", teamId), new NpgsqlParameter("sourceId", sourceId), new NpgsqlParameter("id", iv.Id),
                    new NpgsqlParameter("start", iv.Start), new NpgsqlParameter("end", iv.End),
                    new NpgsqlParameter("sprints", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = iv.SprintIds?.ToArray() ?? (object)DBNull.Value },
                },
            };
    }
}
