-- Meeting-room screens: a display link shows one pipeline's scenes to whoever opens
-- it, without signing in. Its secret is stored hashed, like API tokens.
-- Must describe the same schema as migrations/postgres/0004_displays.sql.

CREATE TABLE displays (
    id BLOB PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    pipeline_id BLOB NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    scenes TEXT NOT NULL,
    seconds_per_scene BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
