-- Tend's foundation: users and sessions, pipelines and stages, deals and their event log.
-- Must describe the same schema as migrations/sqlite/0001_foundation.sql.

CREATE TABLE users (
    id UUID PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_admin BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id UUID PRIMARY KEY NOT NULL,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);

CREATE TABLE pipelines (
    id UUID PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    position BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE stages (
    id UUID PRIMARY KEY NOT NULL,
    pipeline_id UUID NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    position BIGINT NOT NULL,
    probability BIGINT NOT NULL CHECK (probability BETWEEN 0 AND 100),
    rotting_days BIGINT,
    version BIGINT NOT NULL
);
CREATE INDEX stages_pipeline ON stages(pipeline_id, position);

CREATE TABLE organizations (
    id UUID PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE persons (
    id UUID PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    organization_id UUID REFERENCES organizations(id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE lost_reasons (
    id UUID PRIMARY KEY NOT NULL,
    label TEXT NOT NULL UNIQUE,
    position BIGINT NOT NULL
);

CREATE TABLE deals (
    id UUID PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    value BIGINT NOT NULL CHECK (value >= 0),
    currency TEXT NOT NULL,
    pipeline_id UUID NOT NULL REFERENCES pipelines(id),
    stage_id UUID NOT NULL REFERENCES stages(id),
    status TEXT NOT NULL CHECK (status IN ('open', 'won', 'lost')),
    lost_reason TEXT,
    expected_close_date DATE,
    probability BIGINT CHECK (probability BETWEEN 0 AND 100),
    owner_id UUID NOT NULL REFERENCES users(id),
    organization_id UUID REFERENCES organizations(id) ON DELETE SET NULL,
    person_id UUID REFERENCES persons(id) ON DELETE SET NULL,
    lead_source TEXT,
    stage_entered_at TIMESTAMPTZ NOT NULL,
    closed_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL,
    deleted_at TIMESTAMPTZ
);
CREATE INDEX deals_board ON deals(pipeline_id, status, stage_id);
CREATE INDEX deals_owner ON deals(owner_id);

CREATE TABLE deal_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    deal_id UUID NOT NULL REFERENCES deals(id),
    at TIMESTAMPTZ NOT NULL,
    actor_id UUID REFERENCES users(id),
    kind TEXT NOT NULL,
    from_stage_id UUID,
    to_stage_id UUID,
    payload TEXT NOT NULL
);
CREATE INDEX deal_events_deal ON deal_events(deal_id, id);
CREATE INDEX deal_events_at ON deal_events(at);
