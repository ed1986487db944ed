-- Each campaign's first and last day with data (docs/dashboard-database.md, "Rollups"): the
-- campaign list tells from them, without reading a day, whether a campaign has data before, in
-- and after a range, so that listing it by reach reads at most one day per campaign. Null for
-- a campaign with no day of data. Written by the ETL with the campaign's other rollups.
ALTER TABLE campaigns
    ADD COLUMN first_data_date date,
    ADD COLUMN last_data_date date,
    ADD CONSTRAINT campaigns_data_span CHECK (first_data_date <= last_data_date);

UPDATE campaigns c
SET first_data_date = s.first_date, last_data_date = s.last_date
FROM (
    SELECT campaign_id, min(metric_date) AS first_date, max(metric_date) AS last_date
    FROM campaign_metrics_daily GROUP BY campaign_id
) s
WHERE c.campaign_id = s.campaign_id;
