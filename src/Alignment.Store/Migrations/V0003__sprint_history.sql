-- Sprint history (DESIGN §6): per-sprint figures and per-item outcomes, observed snapshots, Jira absences.

-- Figures of every closed and active sprint of a team; for the active sprint completed/removed are "so far".
CREATE TABLE analysis.sprint_figures (
    team_id                   text NOT NULL,
    source_id                 text NOT NULL,
    sprint_id                 text NOT NULL,
    basis                     text NOT NULL CHECK (basis IN ('observed', 'reconstructed')),
    committed_points          double precision NOT NULL,
    completed_points          double precision NOT NULL,
    added_points              double precision NOT NULL,
    removed_points            double precision NOT NULL,
    carried_over_points       double precision NOT NULL,
    committed_count           int NOT NULL,
    completed_count           int NOT NULL,
    added_count               int NOT NULL,
    removed_count             int NOT NULL,
    carried_over_count        int NOT NULL,
    carried_over_twice_count  int NOT NULL,
    unestimated_count         int NOT NULL,
    say_do                    double precision,
    capacity_days             double precision,
    computed_at               timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team_id, source_id, sprint_id)
);

-- What happened to each item that touched a sprint. carry_count = consecutive sprints of the team the item
-- has been carried over into up to this one.
CREATE TABLE analysis.sprint_item_outcomes (
    team_id           text NOT NULL,
    source_id         text NOT NULL,
    sprint_id         text NOT NULL,
    item_external_id  text NOT NULL,
    committed         boolean NOT NULL,
    added             boolean NOT NULL,
    removed           boolean NOT NULL,
    completed         boolean NOT NULL,
    carried_over      boolean NOT NULL,
    carry_count       int NOT NULL,
    points            double precision,
    PRIMARY KEY (team_id, source_id, sprint_id, item_external_id)
);

-- Observed snapshots: taken by a sync when it first sees a sprint active ('start') and first sees it closed
-- ('end'). Never updated afterwards; a reconstruction never replaces them.
CREATE TABLE analysis.sprint_snapshots (
    team_id       text NOT NULL,
    source_id     text NOT NULL,
    sprint_id     text NOT NULL,
    phase         text NOT NULL CHECK (phase IN ('start', 'end')),
    taken_at      timestamptz NOT NULL,
    -- The sprint's start was observed (the sprint was first seen future or active, not already closed).
    watched_start boolean NOT NULL,
    PRIMARY KEY (team_id, source_id, sprint_id, phase)
);

-- The scope and estimates seen at the snapshot; for 'start' snapshots also the committed flag and the
-- estimate as at the sprint start that the history gave at that moment; for 'end' the item's outcome then.
CREATE TABLE analysis.sprint_snapshot_items (
    team_id           text NOT NULL,
    source_id         text NOT NULL,
    sprint_id         text NOT NULL,
    phase             text NOT NULL CHECK (phase IN ('start', 'end')),
    item_external_id  text NOT NULL,
    in_sprint         boolean NOT NULL,
    points            double precision,
    status_category   text NOT NULL,
    committed         boolean NOT NULL,
    committed_points  double precision,
    added             boolean NOT NULL DEFAULT false,
    removed           boolean NOT NULL DEFAULT false,
    completed         boolean NOT NULL DEFAULT false,
    end_points        double precision,
    PRIMARY KEY (team_id, source_id, sprint_id, phase, item_external_id)
);

-- Jira capacity: registered absences of a team's members (dates inclusive).
CREATE TABLE core.absences (
    id          bigserial PRIMARY KEY,
    team_id     text NOT NULL REFERENCES core.teams (id),
    member      text NOT NULL,
    from_date   date NOT NULL,
    to_date     date NOT NULL,
    note        text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (to_date >= from_date)
);
CREATE INDEX absences_team ON core.absences (team_id, from_date);
