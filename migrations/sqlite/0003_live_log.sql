-- Live updates: the log keeps, with each change to a deal, the deal before and after
-- (`snapshot`, JSON), so a screen that reconnects replays exactly what it missed; and
-- appending to the log first takes the one row of `log_head`, which makes log ids
-- follow commit order on PostgreSQL too (a reader that resumes after id N can never
-- miss a smaller id that commits later).
-- Must describe the same schema as migrations/postgres/0003_live_log.sql.

ALTER TABLE deal_events ADD COLUMN snapshot TEXT;

CREATE TABLE log_head (
    id BIGINT PRIMARY KEY NOT NULL CHECK (id = 1),
    appended BIGINT NOT NULL
);
INSERT INTO log_head (id, appended) VALUES (1, 0);
