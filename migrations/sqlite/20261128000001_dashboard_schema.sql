-- The dashboard database on SQLite: the same logical schema as migrations/postgres, for the
-- embedded demo database and the offline cache. uuids, dates and timestamps are ISO 8601 text.

CREATE TABLE dashboard_settings (
    singleton           INTEGER PRIMARY KEY DEFAULT 1 CHECK (singleton = 1),
    reporting_time_zone TEXT    NOT NULL DEFAULT 'UTC'
);
INSERT INTO dashboard_settings DEFAULT VALUES;

CREATE TABLE campaigns (
    campaign_id   TEXT PRIMARY KEY,
    campaign_name TEXT NOT NULL,
    campaign_type TEXT NOT NULL,
    start_date    TEXT NOT NULL,
    end_date      TEXT,
    status        TEXT NOT NULL,
    channel       TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CONSTRAINT campaigns_channel_known CHECK (channel IN ('Email', 'SMS', 'Push')),
    CONSTRAINT campaigns_status_known CHECK (status IN ('Draft', 'Scheduled', 'Active', 'Paused', 'Completed', 'Cancelled')),
    CONSTRAINT campaigns_dates_ordered CHECK (end_date IS NULL OR end_date >= start_date)
) STRICT;

CREATE TABLE campaign_metrics_daily (
    metric_id           INTEGER PRIMARY KEY,
    campaign_id         TEXT    NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    metric_date         TEXT    NOT NULL,
    total_reach         INTEGER NOT NULL CHECK (total_reach >= 0),
    total_impressions   INTEGER NOT NULL CHECK (total_impressions >= 0),
    total_opens         INTEGER NOT NULL CHECK (total_opens >= 0),
    total_clicks        INTEGER NOT NULL CHECK (total_clicks >= 0),
    total_conversions   INTEGER NOT NULL CHECK (total_conversions >= 0),
    total_opt_outs      INTEGER NOT NULL CHECK (total_opt_outs >= 0),
    total_sent          INTEGER NOT NULL CHECK (total_sent >= 0),
    total_bounces       INTEGER NOT NULL CHECK (total_bounces >= 0),
    total_machine_opens INTEGER NOT NULL CHECK (total_machine_opens >= 0),
    total_engaged       INTEGER NOT NULL CHECK (total_engaged >= 0),
    engagement_rate     REAL CHECK (engagement_rate BETWEEN 0 AND 1),
    conversion_rate     REAL CHECK (conversion_rate BETWEEN 0 AND 1),
    opt_out_rate        REAL CHECK (opt_out_rate BETWEEN 0 AND 1),
    delivery_rate       REAL CHECK (delivery_rate BETWEEN 0 AND 1),
    CONSTRAINT campaign_metrics_daily_one_per_day UNIQUE (campaign_id, metric_date)
) STRICT;
CREATE INDEX campaign_metrics_daily_by_date ON campaign_metrics_daily (metric_date);

CREATE TABLE member_segments (
    member_segment TEXT PRIMARY KEY,
    age_band       TEXT NOT NULL,
    plan_type      TEXT NOT NULL,
    risk_tier      TEXT NOT NULL,
    region         TEXT NOT NULL,
    UNIQUE (age_band, plan_type, risk_tier, region)
) STRICT;
INSERT INTO member_segments (member_segment, age_band, plan_type, risk_tier, region)
SELECT a || '/' || p || '/' || r || '/' || g, a, p, r, g
FROM (SELECT column1 AS a FROM (VALUES ('Under 18'), ('18-34'), ('35-49'), ('50-64'), ('65+'), ('Unknown')))
CROSS JOIN (SELECT column1 AS p FROM (VALUES ('Commercial'), ('Medicare Advantage'), ('Medicaid'), ('Individual'), ('Unknown')))
CROSS JOIN (SELECT column1 AS r FROM (VALUES ('Low'), ('Moderate'), ('High'), ('Unknown')))
CROSS JOIN (SELECT column1 AS g FROM (VALUES ('Northeast'), ('Midwest'), ('South'), ('West'), ('Territories'), ('Unknown')));

CREATE TABLE member_interactions (
    interaction_id   INTEGER PRIMARY KEY,
    campaign_id      TEXT    NOT NULL,
    member_segment   TEXT    NOT NULL,
    interaction_date TEXT    NOT NULL,
    interaction_type TEXT    NOT NULL,
    count            INTEGER NOT NULL CHECK (count >= 0),
    CONSTRAINT member_interactions_type_known
        CHECK (interaction_type IN ('Delivered', 'Open', 'Click', 'Engaged', 'Convert', 'OptOut')),
    CONSTRAINT member_interactions_one_per_key
        UNIQUE (campaign_id, member_segment, interaction_date, interaction_type)
) STRICT;

CREATE TABLE campaign_reach_sketches (
    campaign_id TEXT NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    metric_date TEXT NOT NULL,
    sketch      BLOB NOT NULL,
    PRIMARY KEY (campaign_id, metric_date)
) STRICT;
CREATE INDEX campaign_reach_sketches_by_date ON campaign_reach_sketches (metric_date);

CREATE TABLE channel_reach_sketches (
    channel     TEXT NOT NULL CHECK (channel IN ('Email', 'SMS', 'Push')),
    metric_date TEXT NOT NULL,
    sketch      BLOB NOT NULL,
    PRIMARY KEY (channel, metric_date)
) STRICT;

CREATE TABLE etl_runs (
    run_id                   INTEGER PRIMARY KEY,
    started_at               TEXT NOT NULL,
    finished_at              TEXT,
    status                   TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted')),
    mode                     TEXT NOT NULL CHECK (mode IN ('full', 'incremental')),
    reporting_time_zone      TEXT NOT NULL,
    watermark_from           TEXT,
    watermark                TEXT,
    events_read              INTEGER CHECK (events_read >= 0),
    duplicate_events         INTEGER CHECK (duplicate_events >= 0),
    undelivered_events       INTEGER CHECK (undelivered_events >= 0),
    campaign_days_written    INTEGER CHECK (campaign_days_written >= 0),
    interaction_rows_written INTEGER CHECK (interaction_rows_written >= 0),
    affected_start           TEXT,
    affected_end             TEXT,
    duration_ms              INTEGER CHECK (duration_ms >= 0),
    error                    TEXT
) STRICT;
