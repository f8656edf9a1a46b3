-- Planning intervals as the trackers record them (docs/figures.md, "Intervals from the trackers"), per team, for sources with
-- Sources:N:Intervals:From = Iterations (Azure DevOps: the iteration node above the team's sprints; sprint_ids = the team's sprints under it)
-- or FixVersions (Jira: the team's project's fix versions with a start and a release date; sprint_ids NULL = placed by date).
-- Replaced for the team whenever its sprints are written; the analysis builds the intervals from these rows and Alignment:PlanningIntervals.
CREATE TABLE core.team_intervals (
    team_id      text NOT NULL,
    source_id    text NOT NULL,
    interval_id  text NOT NULL,
    start_day    date NOT NULL,
    end_day      date NOT NULL,
    sprint_ids   text[],
    PRIMARY KEY (team_id, interval_id),
    CHECK (start_day <= end_day)
);
