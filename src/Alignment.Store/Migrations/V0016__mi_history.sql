-- MI history (docs/figures.md, "History"): one value per figure, team and UTC day, the last analysis of the day winning.
-- team_id '' is the organisation. basis: 'observed' (written by an analysis that day) or 'backfilled' (reconstructed from the
-- closed sprints' figures when a team was first seen; only sprint-based figures, never over an observed day).
CREATE TABLE analysis.mi_history (
    figure       text NOT NULL,
    team_id      text NOT NULL,
    day          date NOT NULL,
    value        double precision,
    basis        text NOT NULL CHECK (basis IN ('observed', 'backfilled')),
    recorded_at  timestamptz NOT NULL,
    PRIMARY KEY (figure, team_id, day)
);
-- Retention prunes by day (Alignment:Mi:HistoryRetentionDays).
CREATE INDEX mi_history_day ON analysis.mi_history (day);

-- Which teams (and '' the organisation) have been back-filled, once each, and through which day.
CREATE TABLE analysis.mi_history_backfills (
    team_id        text PRIMARY KEY,
    backfilled_at  timestamptz NOT NULL,
    through        date
);
