-- The weekday of a team's sales meeting (0 = Monday … 6 = Sunday), set by an admin on
-- the pipeline: where "since last meeting" looks back to. NULL: a week back.
-- Must describe the same schema as migrations/postgres/0007_meeting_weekday.sql.

ALTER TABLE pipelines ADD COLUMN meeting_weekday BIGINT
    CHECK (meeting_weekday BETWEEN 0 AND 6);
