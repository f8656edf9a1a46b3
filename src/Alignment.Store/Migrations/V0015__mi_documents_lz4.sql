-- MI documents are large (the finance document is about 10 MB at 100 teams) and rewritten after every analysis: compress them with lz4
-- (about 4 times faster than PostgreSQL's default pglz here, and smaller) where the server has it; otherwise they keep pglz.
DO $$
BEGIN
    EXECUTE 'ALTER TABLE analysis.mi_snapshots ALTER COLUMN body SET COMPRESSION lz4';
EXCEPTION WHEN others THEN
    RAISE NOTICE 'lz4 is not available (%): MI documents keep the default TOAST compression', SQLERRM;
END $$;
