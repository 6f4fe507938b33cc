-- What the team forecast said, day by day: each pipeline's forecast for the current
-- period and the next few, by month and by quarter, per currency, taken once a day by
-- the server (and on demand). The forecast page's track record reads what was said
-- 1, 4 and 8 weeks before a period began against what was then won in it.
-- Must describe the same schema as migrations/postgres/0008_forecast_snapshots.sql.

CREATE TABLE forecast_snapshots (
    pipeline_id BLOB NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
    taken_on DATE NOT NULL,
    period_kind TEXT NOT NULL CHECK (period_kind IN ('month', 'quarter')),
    period_start DATE NOT NULL,
    currency TEXT NOT NULL,
    weighted BIGINT NOT NULL,
    expected BIGINT NOT NULL,
    p10 BIGINT NOT NULL,
    p90 BIGINT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('empirical', 'stage_probability')),
    PRIMARY KEY (pipeline_id, period_kind, period_start, currency, taken_on)
);
