-- Counts the times a project's rollups were refreshed, that is, the times its stored jobs or
-- pipelines changed (every change marks a rollup day dirty). Reports computed from raw rows
-- (the Impact section) are kept per version and recomputed once it moves.
ALTER TABLE projects ADD COLUMN data_version INTEGER NOT NULL DEFAULT 0;
