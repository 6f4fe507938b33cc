-- Tend's foundation: users and sessions, pipelines and stages, deals and their event log.
-- Must describe the same schema as migrations/postgres/0001_foundation.sql.

CREATE TABLE users (
    id BLOB PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_admin BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id BLOB PRIMARY KEY NOT NULL,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE pipelines (
    id BLOB PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    position BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE stages (
    id BLOB PRIMARY KEY NOT NULL,
    pipeline_id BLOB NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    position BIGINT NOT NULL,
    probability BIGINT NOT NULL CHECK (probability BETWEEN 0 AND 100),
    rotting_days BIGINT,
    version BIGINT NOT NULL
);
CREATE INDEX stages_pipeline ON stages(pipeline_id, position);

CREATE TABLE organizations (
    id BLOB PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE persons (
    id BLOB PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    organization_id BLOB REFERENCES organizations(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE lost_reasons (
    id BLOB PRIMARY KEY NOT NULL,
    label TEXT NOT NULL UNIQUE,
    position BIGINT NOT NULL
);

CREATE TABLE deals (
    id BLOB PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    value BIGINT NOT NULL CHECK (value >= 0),
    currency TEXT NOT NULL,
    pipeline_id BLOB NOT NULL REFERENCES pipelines(id),
    stage_id BLOB NOT NULL REFERENCES stages(id),
    status TEXT NOT NULL CHECK (status IN ('open', 'won', 'lost')),
    lost_reason TEXT,
    expected_close_date DATE,
    probability BIGINT CHECK (probability BETWEEN 0 AND 100),
    owner_id BLOB NOT NULL REFERENCES users(id),
    organization_id BLOB REFERENCES organizations(id) ON DELETE SET NULL,
    person_id BLOB REFERENCES persons(id) ON DELETE SET NULL,
    lead_source TEXT,
    stage_entered_at TEXT NOT NULL,
    closed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX deals_board ON deals(pipeline_id, status, stage_id);
CREATE INDEX deals_owner ON deals(owner_id);

CREATE TABLE deal_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    deal_id BLOB NOT NULL REFERENCES deals(id),
    at TEXT NOT NULL,
    actor_id BLOB REFERENCES users(id),
    kind TEXT NOT NULL,
    from_stage_id BLOB,
    to_stage_id BLOB,
    payload TEXT NOT NULL
);
CREATE INDEX deal_events_deal ON deal_events(deal_id, id);
CREATE INDEX deal_events_at ON deal_events(at);
