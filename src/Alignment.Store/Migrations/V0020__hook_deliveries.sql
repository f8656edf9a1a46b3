-- Tracker webhook deliveries (docs/webhooks.md). A delivery is acknowledged only after its row is committed; the tracker's delivery id
-- (Jira's X-Atlassian-Webhook-Identifier, unchanged across its retries; Azure DevOps' event id) makes a retry or a duplicate one row.
-- The row names what changed (items, sprints, boards, projects), never the payload's field values: the processing job re-reads the
-- items from the tracker through the sync's collectors and converters. Pending rows are retried with back-off; polling heals the rest.
CREATE TABLE ops.hook_deliveries (
    id              bigserial PRIMARY KEY,
    source_id       text NOT NULL,
    delivery_id     text NOT NULL,
    event_type      text NOT NULL,
    item_ids        text[] NOT NULL DEFAULT '{}',
    item_keys       text[] NOT NULL DEFAULT '{}',
    sprint_ids      text[] NOT NULL DEFAULT '{}',
    board_ids       text[] NOT NULL DEFAULT '{}',
    projects        text[] NOT NULL DEFAULT '{}',
    deleted         boolean NOT NULL DEFAULT false,
    received_at     timestamptz NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    processed_at    timestamptz,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processed', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    error           text,
    sync_run_id     bigint,
    CONSTRAINT hook_deliveries_delivery UNIQUE (source_id, delivery_id)
);

CREATE INDEX hook_deliveries_pending ON ops.hook_deliveries (source_id, next_attempt_at) WHERE status = 'pending';
CREATE INDEX hook_deliveries_received ON ops.hook_deliveries (source_id, received_at DESC);
