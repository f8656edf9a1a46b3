-- MI documents are written whole and read whole (never queried inside), so they are stored as json (the text as written, checked
-- for syntax) instead of jsonb: converting a 10 MB finance document to jsonb took about 0.9 s of every analysis at 100 teams, and
-- reading it back as text another 0.25 s; json costs about a tenth of that (docs/architecture.md, "Incremental analysis").
ALTER TABLE analysis.mi_snapshots ALTER COLUMN body TYPE json USING body::json;
