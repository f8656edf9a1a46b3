-- The finance MI document (GET /api/mi/finance, docs/figures.md "Cost") is a stored MI snapshot of kind 'finance', written by the
-- analysis when team costs or budgets are configured. 'value' is admitted too, for the value MI document of the same issue (15).
ALTER TABLE analysis.mi_snapshots DROP CONSTRAINT IF EXISTS mi_snapshots_kind_check;
ALTER TABLE analysis.mi_snapshots ADD CONSTRAINT mi_snapshots_kind_check
    CHECK (kind IN ('overview', 'teams', 'epics', 'dependencies', 'finance', 'value'));
