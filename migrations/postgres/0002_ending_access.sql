-- Ending someone's access: a disabled user cannot sign in and their sessions and API
-- tokens stop working; sessions also end after a while without use.
-- Must describe the same schema as migrations/sqlite/0002_ending_access.sql.

ALTER TABLE users ADD COLUMN disabled_at TIMESTAMPTZ;

ALTER TABLE sessions ADD COLUMN last_seen_at TIMESTAMPTZ;
UPDATE sessions SET last_seen_at = created_at;

CREATE INDEX api_tokens_user ON api_tokens(user_id);
