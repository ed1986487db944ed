-- Each campaign's first and last day with data (see the PostgreSQL migration of the same version).
ALTER TABLE campaigns ADD COLUMN first_data_date TEXT;
ALTER TABLE campaigns ADD COLUMN last_data_date TEXT;

UPDATE campaigns
SET first_data_date = (SELECT min(d.metric_date) FROM campaign_metrics_daily d WHERE d.campaign_id = campaigns.campaign_id),
    last_data_date = (SELECT max(d.metric_date) FROM campaign_metrics_daily d WHERE d.campaign_id = campaigns.campaign_id);
