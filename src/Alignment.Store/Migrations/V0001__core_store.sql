-- The normalized store (core), the latest raw payloads (raw), sync state and runs (ops).
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS ops;
CREATE SCHEMA IF NOT EXISTS analysis;

CREATE TABLE core.sources (
    id              text PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('jira', 'azureDevOps')),
    base_url        text NOT NULL,
    deployment      text,
    watermark       text,
    last_sync_run   bigint,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE core.teams (
    id                    text PRIMARY KEY,
    name                  text NOT NULL,
    source_id             text NOT NULL REFERENCES core.sources (id),
    scope                 jsonb NOT NULL,
    product_owner_name    text,
    product_owner_email   text,
    configured            boolean NOT NULL DEFAULT true,
    updated_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE core.work_items (
    source_id        text NOT NULL REFERENCES core.sources (id),
    external_id      text NOT NULL,
    key              text NOT NULL,
    url              text NOT NULL,
    type             text NOT NULL,
    original_type    text NOT NULL,
    title            text NOT NULL,
    status           text NOT NULL,
    status_category  text NOT NULL,
    story_points     double precision,
    team_id          text,
    sprint_id        text,
    parent_key       text,
    rank             text,
    priority         text,
    assignee         text,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    resolved_at      timestamptz,
    due_date         date,
    labels           text[] NOT NULL DEFAULT '{}',
    sprint_ids       text[] NOT NULL DEFAULT '{}',
    deleted          boolean NOT NULL DEFAULT false,
    synced_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_id, external_id)
);
CREATE UNIQUE INDEX work_items_key ON core.work_items (source_id, key);
CREATE INDEX work_items_team ON core.work_items (team_id, rank) WHERE NOT deleted;
CREATE INDEX work_items_parent ON core.work_items (source_id, parent_key) WHERE parent_key IS NOT NULL;

-- Links as reported by one item; "dependency" means from depends on to (to blocks from).
CREATE TABLE core.links (
    reporter_source_id    text NOT NULL,
    reporter_external_id  text NOT NULL,
    from_source_id        text NOT NULL,
    from_key              text NOT NULL,
    to_source_id          text NOT NULL DEFAULT '',   -- '' = outside every configured source
    to_key                text NOT NULL,
    kind                  text NOT NULL CHECK (kind IN ('dependency', 'relates', 'duplicates', 'clones')),
    origin                text NOT NULL,
    to_url                text,
    PRIMARY KEY (reporter_source_id, reporter_external_id, from_source_id, from_key, to_source_id, to_key, kind)
);
CREATE INDEX links_from ON core.links (from_source_id, from_key);
CREATE INDEX links_to ON core.links (to_source_id, to_key);

CREATE TABLE core.sprints (
    source_id     text NOT NULL REFERENCES core.sources (id),
    external_id   text NOT NULL,
    name          text NOT NULL,
    state         text NOT NULL CHECK (state IN ('future', 'active', 'closed')),
    start_at      timestamptz,
    end_at        timestamptz,
    completed_at  timestamptz,
    goal          text,
    path          text,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_id, external_id)
);

-- A sprint can be shared by several boards, so teams and sprints are many-to-many.
CREATE TABLE core.team_sprints (
    team_id       text NOT NULL REFERENCES core.teams (id),
    source_id     text NOT NULL,
    sprint_id     text NOT NULL,
    PRIMARY KEY (team_id, source_id, sprint_id),
    FOREIGN KEY (source_id, sprint_id) REFERENCES core.sprints (source_id, external_id)
);

-- Current sprint membership, one row per item and sprint it is or was in (Jira's Sprint field keeps closed sprints).
CREATE TABLE core.sprint_items (
    source_id         text NOT NULL,
    sprint_id         text NOT NULL,
    item_external_id  text NOT NULL,
    PRIMARY KEY (source_id, sprint_id, item_external_id)
);
CREATE INDEX sprint_items_item ON core.sprint_items (source_id, item_external_id);

CREATE TABLE core.item_events (
    source_id         text NOT NULL,
    item_external_id  text NOT NULL,
    event_id          text NOT NULL,
    at                timestamptz NOT NULL,
    kind              text NOT NULL CHECK (kind IN ('sprintAdded', 'sprintRemoved', 'estimateChanged', 'statusChanged')),
    from_value        text,
    to_value          text,
    PRIMARY KEY (source_id, item_external_id, event_id)
);
CREATE INDEX item_events_at ON core.item_events (source_id, at);

CREATE TABLE core.capacities (
    team_id         text NOT NULL REFERENCES core.teams (id),
    source_id       text NOT NULL,
    sprint_id       text NOT NULL,
    member          text NOT NULL,
    hours_per_day   double precision NOT NULL,
    available_days  double precision NOT NULL,
    days_off        integer NOT NULL,
    PRIMARY KEY (team_id, source_id, sprint_id, member)
);

CREATE TABLE raw.item_payloads (
    source_id    text NOT NULL,
    external_id  text NOT NULL,
    payload      jsonb NOT NULL,
    fetched_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_id, external_id)
);

-- Payloads that could not be read, kept for diagnosis (outside the failed batch's transaction).
CREATE TABLE raw.failed_payloads (
    id           bigserial PRIMARY KEY,
    source_id    text NOT NULL,
    request      text NOT NULL,
    error        text NOT NULL,
    body         text NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ops.watermarks (
    source_id   text NOT NULL,
    team_id     text NOT NULL,
    value       text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_id, team_id)
);

CREATE TABLE ops.sync_runs (
    id                bigserial PRIMARY KEY,
    source_id         text NOT NULL,
    team_id           text,
    full_sync         boolean NOT NULL,
    trigger           text NOT NULL,
    host              text NOT NULL,
    started_at        timestamptz NOT NULL,
    finished_at       timestamptz,
    status            text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped')),
    requests          bigint NOT NULL DEFAULT 0,
    retries           bigint NOT NULL DEFAULT 0,
    rate_limit_waits  bigint NOT NULL DEFAULT 0,
    items_read        bigint NOT NULL DEFAULT 0,
    items_changed     bigint NOT NULL DEFAULT 0,
    items_deleted     bigint NOT NULL DEFAULT 0,
    watermark_before  text,
    watermark_after   text,
    error             text
);
CREATE INDEX sync_runs_source ON ops.sync_runs (source_id, started_at DESC);
