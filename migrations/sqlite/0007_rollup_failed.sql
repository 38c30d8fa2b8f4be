-- Project-days whose rollup could not be computed, set aside so that the refresher goes on
-- with the days after them (one bad row once froze every dashboard). The error is logged and
-- the count shown by /metrics; new data for the day, or an hour's wait, makes it dirty again.
CREATE TABLE rollup_failed (
    project_id      INTEGER NOT NULL,
    day             INTEGER NOT NULL,
    error           TEXT    NOT NULL,
    failed_ms       INTEGER NOT NULL,
    PRIMARY KEY (project_id, day)
);
