-- What a collector discovered about a whole source (Jira deployment and field ids), kept so an incremental
-- run does not ask again; a full run re-discovers it.
ALTER TABLE core.sources ADD COLUMN source_state text;
