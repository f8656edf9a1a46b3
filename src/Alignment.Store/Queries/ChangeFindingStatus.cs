using Dapper;
using Mediator;
using Npgsql;

namespace Alignment.Store.Queries;

public enum FindingAction { Acknowledge, Suppress }

public enum FindingActionOutcome { Done, NotFound, Forbidden }

public sealed record FindingActionResult(FindingActionOutcome Outcome, FindingDto? Finding);

/// <summary>
/// Acknowledge (admin, PMO, or the product owner of the finding's owning team — not of a merely related team) or suppress
/// (admin, PMO) a finding.
/// A suppressed finding stays suppressed while it holds, unless its severity rises above the one it had when suppressed.
/// </summary>
public sealed record ChangeFindingStatusCommand(Viewer Viewer, long Id, FindingAction Action) : ICommand<FindingActionResult>;

internal sealed class ChangeFindingStatusHandler(NpgsqlDataSource db, TimeProvider clock) : ICommandHandler<ChangeFindingStatusCommand, FindingActionResult>
{
    public async ValueTask<FindingActionResult> Handle(ChangeFindingStatusCommand c, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // A product owner reads the findings of their configured teams, owning or related, but acts only on those their team owns.
        var access = await conn.QuerySingleAsync<(bool Visible, bool Owns)>(new CommandDefinition($"""
            SELECT EXISTS (SELECT 1 FROM analysis.findings f WHERE f.id = @Id
                     AND (@scope::text IS NULL OR EXISTS (SELECT 1 FROM core.teams t WHERE {TeamAccess.OwnedByScope}
                                                          AND (t.id = f.team_id OR t.id = ANY (f.related_teams))))),
                   EXISTS (SELECT 1 FROM analysis.findings f JOIN core.teams t ON t.id = f.team_id
                            WHERE f.id = @Id AND {TeamAccess.OwnedByScope})
            """, new { c.Id, scope = c.Viewer.TeamScope }, tx, cancellationToken: ct));
        if (!access.Visible) return new(FindingActionOutcome.NotFound, null);
        var allowed = c.Viewer.Role is Viewer.Admin or Viewer.Pmo
                      || (c.Viewer.Role == Viewer.ProductOwner && c.Action == FindingAction.Acknowledge && access.Owns);
        if (!allowed) return new(FindingActionOutcome.Forbidden, null);
        var status = (c.Action == FindingAction.Acknowledge ? FindingStatus.Acknowledged : FindingStatus.Suppressed).Name();
        var now = clock.GetUtcNow();
        // A resolved finding stays resolved; acknowledging a suppressed one does not lift the suppression.
        await conn.ExecuteAsync(new CommandDefinition("""
            WITH u AS (
              UPDATE analysis.findings f
                 SET status = @status, status_changed_at = @now, status_changed_by = @actor,
                     suppressed_severity = CASE WHEN @status = 'suppressed' THEN f.severity ELSE f.suppressed_severity END
               WHERE f.id = @Id AND f.status <> 'resolved' AND f.status <> @status
                 AND NOT (@status = 'acknowledged' AND f.status = 'suppressed')
              RETURNING f.id, f.status, f.severity)
            INSERT INTO analysis.finding_events (finding_id, at, kind, status, severity, actor)
            SELECT id, @now, status, status, severity, @actor FROM u
            """, new { c.Id, status, now, actor = c.Viewer.Name }, tx, cancellationToken: ct));
        var row = await conn.QuerySingleAsync<FindingRow>(new CommandDefinition(FindingRow.Select + " WHERE f.id = @Id", new { c.Id }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new(FindingActionOutcome.Done, row.ToDto());
    }
}
