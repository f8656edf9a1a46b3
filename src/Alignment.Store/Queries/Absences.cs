using Dapper;
using Mediator;
using Npgsql;

namespace Alignment.Store.Queries;

public sealed record AbsenceDto(long Id, string Member, DateOnly From, DateOnly To, string? Note);

/// <summary>Registers a team member's absence (dates inclusive) for Jira capacity, then recomputes the team's capacity figures.
/// Null when the team is unknown or not visible.</summary>
public sealed record AddAbsenceCommand(Viewer Viewer, string TeamId, string Member, DateOnly From, DateOnly To, string? Note) : ICommand<AbsenceDto?>
{
    /// <summary>Validation errors by field (camelCase), empty when valid.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(Member)) errors["member"] = ["required"];
        else if (Member.Length > 200) errors["member"] = ["at most 200 characters"];
        if (To < From) errors["to"] = ["must not be before from"];
        else if (To.DayNumber - From.DayNumber > 366) errors["to"] = ["an absence spans at most a year"];
        if (Note is { Length: > 1000 }) errors["note"] = ["at most 1000 characters"];
        return errors;
    }
}

public sealed record ListAbsencesQuery(Viewer Viewer, string TeamId) : IQuery<IReadOnlyList<AbsenceDto>?>;

/// <summary>Deletes an absence. Null when the team is not visible; false when the absence does not exist for the team.</summary>
public sealed record DeleteAbsenceCommand(Viewer Viewer, string TeamId, long Id) : ICommand<bool?>;

internal static class AbsenceStore
{
    public static async Task<IEnumerable<Absence>> ListAsync(NpgsqlConnection conn, string teamId, CancellationToken ct) =>
        (await conn.QueryAsync<Row>(new CommandDefinition("""
            SELECT id, team_id, member, from_date, to_date, note FROM core.absences WHERE team_id = @teamId ORDER BY from_date, id
            """, new { teamId }, cancellationToken: ct)))
        .Select(r => new Absence(r.Id, r.TeamId, r.Member, DateOnly.FromDateTime(r.FromDate), DateOnly.FromDateTime(r.ToDate), r.Note));

    public static async Task<string?> SourceOfAsync(NpgsqlConnection conn, string teamId, CancellationToken ct) =>
        await conn.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT source_id FROM core.teams WHERE id = @teamId", new { teamId }, cancellationToken: ct));

    private sealed class Row
    {
        public long Id { get; set; }
        public string TeamId { get; set; } = "";
        public string Member { get; set; } = "";
        public DateTime FromDate { get; set; }
        public DateTime ToDate { get; set; }
        public string? Note { get; set; }
    }
}

internal sealed class AddAbsenceHandler(NpgsqlDataSource db, SprintFiguresRefresher figures) : ICommandHandler<AddAbsenceCommand, AbsenceDto?>
{
    public async ValueTask<AbsenceDto?> Handle(AddAbsenceCommand c, CancellationToken ct)
    {
        string? source;
        long id;
        await using (var conn = await db.OpenConnectionAsync(ct))
        {
            if (!await TeamAccess.CanSeeAsync(conn, c.Viewer, c.TeamId, ct)) return null;
            id = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
                INSERT INTO core.absences (team_id, member, from_date, to_date, note) VALUES (@TeamId, @Member, @From, @To, @Note) RETURNING id
                """, new { c.TeamId, Member = c.Member.Trim(), From = c.From.ToDateTime(TimeOnly.MinValue), To = c.To.ToDateTime(TimeOnly.MinValue), c.Note },
                cancellationToken: ct));
            source = await AbsenceStore.SourceOfAsync(conn, c.TeamId, ct);
        }
        if (source is not null) await figures.RefreshAsync(source, c.TeamId, recordSnapshots: false, ct);
        return new AbsenceDto(id, c.Member.Trim(), c.From, c.To, c.Note);
    }
}

internal sealed class ListAbsencesHandler(NpgsqlDataSource db) : IQueryHandler<ListAbsencesQuery, IReadOnlyList<AbsenceDto>?>
{
    public async ValueTask<IReadOnlyList<AbsenceDto>?> Handle(ListAbsencesQuery q, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        if (!await TeamAccess.CanSeeAsync(conn, q.Viewer, q.TeamId, ct)) return null;
        return (await AbsenceStore.ListAsync(conn, q.TeamId, ct)).Select(a => new AbsenceDto(a.Id, a.Member, a.From, a.To, a.Note)).ToList();
    }
}

internal sealed class DeleteAbsenceHandler(NpgsqlDataSource db, SprintFiguresRefresher figures) : ICommandHandler<DeleteAbsenceCommand, bool?>
{
    public async ValueTask<bool?> Handle(DeleteAbsenceCommand c, CancellationToken ct)
    {
        string? source;
        await using (var conn = await db.OpenConnectionAsync(ct))
        {
            if (!await TeamAccess.CanSeeAsync(conn, c.Viewer, c.TeamId, ct)) return null;
            var n = await conn.ExecuteAsync(new CommandDefinition("DELETE FROM core.absences WHERE id = @Id AND team_id = @TeamId", new { c.Id, c.TeamId }, cancellationToken: ct));
            if (n == 0) return false;
            source = await AbsenceStore.SourceOfAsync(conn, c.TeamId, ct);
        }
        if (source is not null) await figures.RefreshAsync(source, c.TeamId, recordSnapshots: false, ct);
        return true;
    }
}
