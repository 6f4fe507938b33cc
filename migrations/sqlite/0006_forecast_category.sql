-- A deal's forecast category, set by its rep: 'pipeline', 'best_case' or 'commit'.
-- NULL lets the deal's chance decide. Must describe the same schema as
-- migrations/postgres/0006_forecast_category.sql.

ALTER TABLE deals ADD COLUMN forecast_category TEXT
    CHECK (forecast_category IN ('pipeline', 'best_case', 'commit'));
