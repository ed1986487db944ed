-- See the PostgreSQL migration of the same version. SQLite has no INCLUDE: the columns are keys.
CREATE INDEX campaign_metrics_daily_by_date_covering ON campaign_metrics_daily (metric_date,
    campaign_id, total_sent, total_impressions, total_opens, total_clicks, total_engaged,
    total_conversions, total_opt_outs, total_bounces, total_machine_opens);
DROP INDEX campaign_metrics_daily_by_date;
