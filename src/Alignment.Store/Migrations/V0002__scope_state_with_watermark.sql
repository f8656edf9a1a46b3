-- What a collector discovered about a team scope (Jira board estimation field, Azure DevOps area paths),
-- kept with the watermark so an incremental run does not ask again; a full run re-discovers it.
ALTER TABLE ops.watermarks ADD COLUMN scope_state text;
