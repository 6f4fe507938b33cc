-- The workspace's own settings: one row. `lead_untouched_days`: a new lead that nobody
-- has touched (captured, amended, assigned) for this many days is flagged in the inbox.
-- Must describe the same schema as migrations/postgres/0011_workspace_settings.sql.

CREATE TABLE workspace_settings (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    lead_untouched_days BIGINT NOT NULL CHECK (lead_untouched_days BETWEEN 1 AND 90)
);
INSERT INTO workspace_settings (id, lead_untouched_days) VALUES (1, 3);
