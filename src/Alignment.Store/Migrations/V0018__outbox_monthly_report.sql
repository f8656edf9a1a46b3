-- The monthly management report (README, "Monthly management report") goes through the advice outbox: kind 'report', one row per
-- (recipient, month) with the recipient in product_owner_email and the month 'yyyy-MM' in period, so a second run of the job in the same
-- month, a retry or a second host never sends it twice.
ALTER TABLE ops.advice_outbox DROP CONSTRAINT advice_outbox_kind_check;
ALTER TABLE ops.advice_outbox ADD CONSTRAINT advice_outbox_kind_check CHECK (kind IN ('digest', 'alert', 'report'));
