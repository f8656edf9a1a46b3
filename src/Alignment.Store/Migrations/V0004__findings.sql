-- Findings of the analyzers (DESIGN §7) with their lifecycle, the epic forecasts and team hygiene scorecards of the last run.

CREATE TABLE analysis.findings (
    id                   bigserial PRIMARY KEY,
    fingerprint          text NOT NULL UNIQUE,            -- rule + subject: stable while the condition holds
    rule                 text NOT NULL,
    severity             text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    status               text NOT NULL CHECK (status IN ('open', 'acknowledged', 'suppressed', 'resolved')),
    team_id              text,
    related_teams        text[] NOT NULL DEFAULT '{}',
    items                jsonb NOT NULL DEFAULT '[]',     -- [{source, key, url}]
    title                text NOT NULL,
    evidence             jsonb NOT NULL,
    action               text NOT NULL,
    score                double precision NOT NULL,
    first_seen           timestamptz NOT NULL,
    last_seen            timestamptz NOT NULL,
    resolved_at          timestamptz,
    -- The severity when it was suppressed: a suppressed finding reopens only when its severity rises above this.
    suppressed_severity  text,
    status_changed_at    timestamptz NOT NULL,
    status_changed_by    text
);
CREATE INDEX findings_list ON analysis.findings (status, id);
CREATE INDEX findings_team ON analysis.findings (team_id, id);
CREATE INDEX findings_related ON analysis.findings USING gin (related_teams);

-- The history of every finding: opened, reopened, severityChanged, resolved, acknowledged, suppressed.
CREATE TABLE analysis.finding_events (
    id          bigserial PRIMARY KEY,
    finding_id  bigint NOT NULL REFERENCES analysis.findings (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    kind        text NOT NULL,
    status      text NOT NULL,
    severity    text NOT NULL,
    actor       text
);
CREATE INDEX finding_events_finding ON analysis.finding_events (finding_id, id);

CREATE TABLE analysis.runs (
    id           bigserial PRIMARY KEY,
    trigger      text NOT NULL,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz NOT NULL,
    items        int NOT NULL,
    findings     int NOT NULL,
    opened       int NOT NULL,
    reopened     int NOT NULL,
    resolved     int NOT NULL,
    load_ms      double precision NOT NULL,
    analyze_ms   double precision NOT NULL,
    store_ms     double precision NOT NULL
);

-- The last run's forecast of every epic (the API reads these).
CREATE TABLE analysis.epic_forecasts (
    source_id    text NOT NULL,
    epic_key     text NOT NULL,
    team_id      text,
    forecast     jsonb NOT NULL,
    computed_at  timestamptz NOT NULL,
    PRIMARY KEY (source_id, epic_key)
);

CREATE TABLE analysis.team_hygiene (
    team_id      text PRIMARY KEY,
    scorecard    jsonb NOT NULL,
    computed_at  timestamptz NOT NULL
);
