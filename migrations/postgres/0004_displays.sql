-- Meeting-room screens: a display link shows one pipeline's scenes to whoever opens
-- it, without signing in. Its secret is stored hashed, like API tokens.
-- Must describe the same schema as migrations/sqlite/0004_displays.sql.

CREATE TABLE displays (
    id UUID PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    pipeline_id UUID NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    scenes TEXT NOT NULL,
    seconds_per_scene BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
