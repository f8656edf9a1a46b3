-- The change log the incremental analysis reads (docs/architecture.md, "Incremental analysis"): one row per
-- committed sync batch, naming the items whose row, links (as reporter) or history events the batch wrote.
-- A writer takes the shared advisory lock 'alignment:item-changes' before it appends, the analysis takes it
-- exclusively for the instant it reads max(seq): every seq up to that value is then committed or gone.
CREATE TABLE ops.item_changes (
    seq          bigserial PRIMARY KEY,
    source_id    text NOT NULL,
    external_ids text[] NOT NULL,
    changed_at   timestamptz NOT NULL DEFAULT now()
);

-- The highest seq pruned (entries older than the retention): memory from before it cannot be patched.
CREATE TABLE ops.item_changes_pruned (through bigint NOT NULL);
INSERT INTO ops.item_changes_pruned (through) VALUES (0);

-- Whether a run patched the previous run's memory with the changed items (incremental) or read everything (full).
ALTER TABLE analysis.runs ADD COLUMN incremental boolean NOT NULL DEFAULT false;
ALTER TABLE analysis.runs ADD COLUMN changed_items integer;
-- The latest run's start, read with every finding (an open finding was seen by it).
CREATE INDEX runs_started ON analysis.runs (started_at);

-- Sprint figures read a team's sprint items by these (SprintFiguresRefresher): before them, each team's refresh scanned
-- every item of its source, so refreshing all teams grew with teams × items.
CREATE INDEX work_items_sprint ON core.work_items (source_id, sprint_id) WHERE sprint_id IS NOT NULL;
CREATE INDEX item_events_sprint ON core.item_events (source_id, (coalesce(to_value, from_value)))
    WHERE kind IN ('sprintAdded', 'sprintRemoved');
