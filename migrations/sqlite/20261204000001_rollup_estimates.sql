-- The estimate of each stored reach sketch (see the PostgreSQL migration of the same version).
ALTER TABLE reach_rollups ADD COLUMN reach INTEGER CHECK (reach >= 0);
ALTER TABLE campaign_reach_rollups ADD COLUMN reach INTEGER CHECK (reach >= 0);

UPDATE dashboard_settings SET rollups_ready = 0;
