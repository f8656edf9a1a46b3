-- Outbox of the prioritisation-advice e-mails (DESIGN §2 Advise, §10): one row per (kind, product owner, period), so a
-- second run, a retry or a second host never sends a digest twice. The message is rendered once, when the row is
-- created, and every delivery attempt sends exactly those bytes (with the same Message-ID).
CREATE TABLE ops.advice_outbox (
    id                   bigserial PRIMARY KEY,
    kind                 text NOT NULL CHECK (kind IN ('digest', 'alert')),
    product_owner_email  text NOT NULL,                  -- lower-case
    period               text NOT NULL,                  -- digest: ISO week '2026-W48'; alert: local date '2026-11-26'
    message_id           text NOT NULL UNIQUE,
    subject              text NOT NULL,
    mime                 bytea NOT NULL,
    findings             bigint[] NOT NULL DEFAULT '{}', -- the findings the message is about
    status               text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts             int NOT NULL DEFAULT 0,
    next_attempt_at      timestamptz NOT NULL,
    last_error           text,
    created_at           timestamptz NOT NULL,
    sent_at              timestamptz,
    UNIQUE (kind, product_owner_email, period)
);
CREATE INDEX advice_outbox_due ON ops.advice_outbox (next_attempt_at) WHERE status = 'pending';
