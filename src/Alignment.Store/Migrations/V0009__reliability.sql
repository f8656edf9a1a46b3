-- Reliability (docs/reliability.md): run outcomes beyond succeeded/failed, per team sync state for
-- staleness, and item quarantine in raw.failed_payloads.

-- partial: quarantined items or failed teams (named in team_results); abandoned: its process died
-- (recognised by the next run of the source, or at host start, because the source's lock is free).
ALTER TABLE ops.sync_runs DROP CONSTRAINT IF EXISTS sync_runs_status_check;
ALTER TABLE ops.sync_runs ADD CONSTRAINT sync_runs_status_check
    CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'skipped', 'abandoned'));
-- [{ "team": "pay", "status": "succeeded|partial|failed", "error": "...", "quarantined": 0 }, ...]
ALTER TABLE ops.sync_runs ADD COLUMN team_results jsonb NOT NULL DEFAULT '[]';
ALTER TABLE ops.sync_runs ADD COLUMN quarantined_items integer NOT NULL DEFAULT 0;
CREATE INDEX sync_runs_running ON ops.sync_runs (source_id) WHERE status = 'running';

-- The latest outcome per source and team ('' = the source-wide part, e.g. Azure DevOps revisions).
-- last_success_at only moves on succeeded or partial runs of that team.
CREATE TABLE ops.team_sync_state (
    source_id        text NOT NULL,
    team_id          text NOT NULL,
    last_attempt_at  timestamptz NOT NULL,
    last_success_at  timestamptz,
    last_status      text NOT NULL CHECK (last_status IN ('running', 'succeeded', 'partial', 'failed', 'skipped', 'abandoned')),
    last_error       text,
    last_run_id      bigint,
    PRIMARY KEY (source_id, team_id)
);

-- A failed request (kind 'request', as before) or a quarantined item (kind 'item'): one open row per
-- item, re-read every run until it converts; then resolved_at is set.
ALTER TABLE raw.failed_payloads
    ADD COLUMN kind          text NOT NULL DEFAULT 'request' CHECK (kind IN ('request', 'item')),
    ADD COLUMN team_id       text,
    ADD COLUMN external_id   text,
    ADD COLUMN item_key      text,
    ADD COLUMN json_path     text,
    ADD COLUMN attempts      integer NOT NULL DEFAULT 1,
    ADD COLUMN last_seen_at  timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN resolved_at   timestamptz;
CREATE UNIQUE INDEX failed_payloads_open_item ON raw.failed_payloads (source_id, external_id)
    WHERE kind = 'item' AND resolved_at IS NULL;
CREATE INDEX failed_payloads_received ON raw.failed_payloads (received_at);
