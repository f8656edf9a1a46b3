-- What a team's sprints, team-sprint mapping and capacities looked like when the sync last wrote them (a SHA-256 of the collector's
-- answer), recorded with the team's watermark once those rows are committed. An incremental sync whose answer hashes the same skips
-- writing them (docs/data-model.md, "Watermarks"); a full sync always writes them. Null: not known, write.
ALTER TABLE ops.watermarks ADD COLUMN sprints_hash text;
