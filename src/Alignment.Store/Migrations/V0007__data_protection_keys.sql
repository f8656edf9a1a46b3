-- ASP.NET Core data-protection keys shared by every API replica (antiforgery on the job dashboard,
-- cookies), so a request may land on any pod.
CREATE TABLE ops.data_protection_keys (
    name        text PRIMARY KEY,
    xml         text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
