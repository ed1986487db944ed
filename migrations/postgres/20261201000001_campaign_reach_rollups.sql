-- The campaign list at a large plan's size (docs/dashboard-database.md, "Rollups").
--
-- Names are searched in a folded form written by the ETL (Rust's Unicode lower case), so that a
-- search folds case the same way here and in the SQLite demo, whose lower() folds ASCII only.
-- Until the next run writes it, lower() stands in.
ALTER TABLE campaigns ADD COLUMN search_name text NOT NULL DEFAULT '';
UPDATE campaigns SET search_name = lower(campaign_name);

-- Each campaign's reach from a day to its last day with data, and from its first day with
-- data to a day: the reach over any range that no day of the campaign follows (or precedes)
-- is then one number, read instead of merging the range's sketches. Null until the ETL
-- writes them.
ALTER TABLE campaign_metrics_daily
    ADD COLUMN reach_since bigint CHECK (reach_since >= 0),
    ADD COLUMN reach_until bigint CHECK (reach_until >= 0);

-- Each campaign's sketches merged per ISO week and calendar month: a campaign's reach over a
-- range its days run past on both sides merges a few of these instead of a sketch a day.
CREATE TABLE campaign_reach_rollups (
    period       text  NOT NULL CHECK (period IN ('week', 'month')),
    period_start date  NOT NULL,
    campaign_id  uuid  NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    sketch       bytea NOT NULL,
    PRIMARY KEY (campaign_id, period, period_start)
);

-- The new rollups are built by the next ETL run (or `outreach-etl rollups`); until then
-- readers use the facts.
UPDATE dashboard_settings SET rollups_ready = false;

GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON campaign_reach_rollups TO outreach_etl;
GRANT SELECT ON campaign_reach_rollups TO outreach_reader;
