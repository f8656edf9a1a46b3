-- Value fields (issue 15, README "Value fields"): the WSJF inputs and the budget of an epic or feature as the tracker's
-- configured fields (Sources:N:Fields) hold them. Null when the field is not configured or empty on the item; raw keeps the payload.
ALTER TABLE core.work_items
    ADD COLUMN business_value   double precision,
    ADD COLUMN time_criticality double precision,
    ADD COLUMN risk_reduction   double precision,
    ADD COLUMN job_size         double precision,
    ADD COLUMN budget           double precision;

-- The value document (GET /api/mi/value, docs/figures.md "Value") is one more MI snapshot kind, written by each analysis.
ALTER TABLE analysis.mi_snapshots DROP CONSTRAINT IF EXISTS mi_snapshots_kind_check;
ALTER TABLE analysis.mi_snapshots ADD CONSTRAINT mi_snapshots_kind_check
    CHECK (kind IN ('overview', 'teams', 'epics', 'dependencies', 'value'));
