-- Planning intervals (docs/figures.md, "Planning intervals"): the configured intervals as the service first saw them, and per interval and
-- team the plan recorded at the team's plan moment and the outcome recorded when the interval ended for it. Plans and outcomes are written
-- once and never updated (as the sprint snapshots are).

-- Every configured interval, with when an analysis first saw it: a plan moment after first_seen_at is observed, one before it reconstructed.
CREATE TABLE analysis.planning_intervals (
    id             text PRIMARY KEY,
    start_day      date NOT NULL,
    end_day        date NOT NULL,
    first_seen_at  timestamptz NOT NULL
);

-- A team's plan: taken at plan_at, the start of its first sprint of the interval (sprint_ids: its sprints of the interval then).
CREATE TABLE analysis.interval_plans (
    interval_id  text NOT NULL,
    team_id      text NOT NULL,
    source_id    text NOT NULL,
    plan_at      timestamptz NOT NULL,
    sprint_ids   text[] NOT NULL,
    basis        text NOT NULL CHECK (basis IN ('observed', 'reconstructed')),
    recorded_at  timestamptz NOT NULL,
    PRIMARY KEY (interval_id, team_id)
);

-- The planned items: open backlog work in one of the team's sprints of the interval at plan_at, with the estimate then, the epic or feature
-- it counts under (unit_key; the item itself without one) and that unit's business value.
CREATE TABLE analysis.interval_plan_items (
    interval_id          text NOT NULL,
    team_id              text NOT NULL,
    source_id            text NOT NULL,
    item_external_id     text NOT NULL,
    item_key             text NOT NULL,
    unit_key             text NOT NULL,
    unit_type            text NOT NULL,
    unit_business_value  double precision,
    points               double precision,
    PRIMARY KEY (interval_id, team_id, source_id, item_external_id),
    FOREIGN KEY (interval_id, team_id) REFERENCES analysis.interval_plans (interval_id, team_id) ON DELETE CASCADE
);

-- A team's outcome: taken at end_at, the finish of its last sprint of the interval; velocity_points = completed points of those sprints.
CREATE TABLE analysis.interval_outcomes (
    interval_id      text NOT NULL,
    team_id          text NOT NULL,
    end_at           timestamptz NOT NULL,
    sprint_ids       text[] NOT NULL,
    velocity_points  double precision NOT NULL,
    recorded_at      timestamptz NOT NULL,
    PRIMARY KEY (interval_id, team_id),
    FOREIGN KEY (interval_id, team_id) REFERENCES analysis.interval_plans (interval_id, team_id) ON DELETE CASCADE
);

-- Each planned item's outcome (done; else removed and the slip reasons, with the other teams' blockers not done as 'source/key'), and each
-- unplanned item (planned = false) that entered the team's sprints of the interval after the plan; points = the estimate at the end.
CREATE TABLE analysis.interval_outcome_items (
    interval_id       text NOT NULL,
    team_id           text NOT NULL,
    source_id         text NOT NULL,
    item_external_id  text NOT NULL,
    item_key          text NOT NULL,
    unit_key          text NOT NULL,
    planned           boolean NOT NULL,
    done              boolean NOT NULL,
    removed           boolean NOT NULL,
    points            double precision,
    reasons           text[] NOT NULL,
    blockers          text[] NOT NULL,
    PRIMARY KEY (interval_id, team_id, source_id, item_external_id),
    FOREIGN KEY (interval_id, team_id) REFERENCES analysis.interval_outcomes (interval_id, team_id) ON DELETE CASCADE
);

-- The intervals MI document (GET /api/mi/intervals), written by each analysis.
ALTER TABLE analysis.mi_snapshots DROP CONSTRAINT IF EXISTS mi_snapshots_kind_check;
ALTER TABLE analysis.mi_snapshots ADD CONSTRAINT mi_snapshots_kind_check
    CHECK (kind IN ('overview', 'teams', 'epics', 'dependencies', 'finance', 'value', 'intervals'));
