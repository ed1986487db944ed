-- The estimate of each stored reach sketch (docs/dashboard-database.md, "Rollups"): where a
-- question's answer is one stored sketch (a day's reach of a channel, one campaign's reach over
-- a whole month), the number is read instead of the sketch's 32 KB. Null until the ETL writes
-- it; a reader then estimates the sketch itself.
ALTER TABLE reach_rollups ADD COLUMN reach bigint CHECK (reach >= 0);
ALTER TABLE campaign_reach_rollups ADD COLUMN reach bigint CHECK (reach >= 0);

-- The next ETL run (or `outreach-etl rollups`) rebuilds every rollup with its estimate; until
-- then readers use the facts.
UPDATE dashboard_settings SET rollups_ready = false;
