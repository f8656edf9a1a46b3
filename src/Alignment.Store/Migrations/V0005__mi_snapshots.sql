-- Management information (DESIGN §8), computed after each sync/analysis so that reads are one row each.
-- kind: overview, teams, epics, dependencies. body: the JSON the MI endpoints answer (camelCase).
CREATE TABLE analysis.mi_snapshots (
    kind         text PRIMARY KEY CHECK (kind IN ('overview', 'teams', 'epics', 'dependencies')),
    computed_at  timestamptz NOT NULL,
    body         jsonb NOT NULL
);
