-- Revenue goals: per pipeline, for the team (owner_id NULL) or one rep, per month or
-- quarter, per currency. One goal per pipeline, owner, period and currency.
-- Must describe the same schema as migrations/postgres/0005_goals.sql.

CREATE TABLE goals (
    id BLOB PRIMARY KEY NOT NULL,
    pipeline_id BLOB NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
    owner_id BLOB REFERENCES users(id) ON DELETE CASCADE,
    period_kind TEXT NOT NULL CHECK (period_kind IN ('month', 'quarter')),
    period_start DATE NOT NULL,
    currency TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount >= 0),
    set_at TEXT NOT NULL
);
CREATE UNIQUE INDEX goals_one ON goals(
    pipeline_id, COALESCE(owner_id, X'00'), period_kind, period_start, currency
);
