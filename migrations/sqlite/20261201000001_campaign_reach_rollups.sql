-- The campaign list at a large plan's size (see the PostgreSQL migration of the same version).
ALTER TABLE campaigns ADD COLUMN search_name TEXT NOT NULL DEFAULT '';
UPDATE campaigns SET search_name = lower(campaign_name);

ALTER TABLE campaign_metrics_daily ADD COLUMN reach_since INTEGER CHECK (reach_since >= 0);
ALTER TABLE campaign_metrics_daily ADD COLUMN reach_until INTEGER CHECK (reach_until >= 0);

CREATE TABLE campaign_reach_rollups (
    period       TEXT NOT NULL CHECK (period IN ('week', 'month')),
    period_start TEXT NOT NULL,
    campaign_id  TEXT NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    sketch       BLOB NOT NULL,
    PRIMARY KEY (campaign_id, period, period_start)
) STRICT;

UPDATE dashboard_settings SET rollups_ready = 0;
