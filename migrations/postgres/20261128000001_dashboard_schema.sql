-- The dashboard database: what the ETL writes and the app reads (docs/metrics.md).
-- No column here holds a name, email, phone, date of birth or CRM member id.

CREATE TABLE dashboard_settings (
    singleton           boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    -- Calendar days of every table are days in this IANA time zone.
    reporting_time_zone text    NOT NULL DEFAULT 'UTC'
);
INSERT INTO dashboard_settings DEFAULT VALUES;

CREATE TABLE campaigns (
    campaign_id   uuid        PRIMARY KEY,
    campaign_name text        NOT NULL,
    campaign_type text        NOT NULL,
    start_date    date        NOT NULL,
    end_date      date,
    status        text        NOT NULL,
    channel       text        NOT NULL,
    updated_at    timestamptz NOT NULL,
    CONSTRAINT campaigns_channel_known CHECK (channel IN ('Email', 'SMS', 'Push')),
    CONSTRAINT campaigns_status_known CHECK (status IN ('Draft', 'Scheduled', 'Active', 'Paused', 'Completed', 'Cancelled')),
    CONSTRAINT campaigns_dates_ordered CHECK (end_date IS NULL OR end_date >= start_date)
);

CREATE TABLE campaign_metrics_daily (
    metric_id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id         uuid    NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    metric_date         date    NOT NULL,
    total_reach         integer NOT NULL CHECK (total_reach >= 0),
    total_impressions   integer NOT NULL CHECK (total_impressions >= 0),
    total_opens         integer NOT NULL CHECK (total_opens >= 0),
    total_clicks        integer NOT NULL CHECK (total_clicks >= 0),
    total_conversions   integer NOT NULL CHECK (total_conversions >= 0),
    total_opt_outs      integer NOT NULL CHECK (total_opt_outs >= 0),
    total_sent          integer NOT NULL CHECK (total_sent >= 0),
    total_bounces       integer NOT NULL CHECK (total_bounces >= 0),
    total_machine_opens integer NOT NULL CHECK (total_machine_opens >= 0),
    total_engaged       integer NOT NULL CHECK (total_engaged >= 0),
    -- The day's own ratios; null when the denominator is zero or the ratio exceeds 1 (engagement
    -- can fall on a later day than its delivery). Readers compute rates from the totals.
    engagement_rate     double precision CHECK (engagement_rate BETWEEN 0 AND 1),
    conversion_rate     double precision CHECK (conversion_rate BETWEEN 0 AND 1),
    opt_out_rate        double precision CHECK (opt_out_rate BETWEEN 0 AND 1),
    delivery_rate       double precision CHECK (delivery_rate BETWEEN 0 AND 1),
    CONSTRAINT campaign_metrics_daily_one_per_day UNIQUE (campaign_id, metric_date)
);
CREATE INDEX campaign_metrics_daily_by_date ON campaign_metrics_daily (metric_date);

CREATE TABLE member_segments (
    member_segment text PRIMARY KEY,
    age_band       text NOT NULL,
    plan_type      text NOT NULL,
    risk_tier      text NOT NULL,
    region         text NOT NULL,
    UNIQUE (age_band, plan_type, risk_tier, region)
);
INSERT INTO member_segments (member_segment, age_band, plan_type, risk_tier, region)
SELECT a || '/' || p || '/' || r || '/' || g, a, p, r, g
FROM (VALUES ('Under 18'), ('18-34'), ('35-49'), ('50-64'), ('65+'), ('Unknown')) AS age(a)
CROSS JOIN (VALUES ('Commercial'), ('Medicare Advantage'), ('Medicaid'), ('Individual'), ('Unknown')) AS plan(p)
CROSS JOIN (VALUES ('Low'), ('Moderate'), ('High'), ('Unknown')) AS risk(r)
CROSS JOIN (VALUES ('Northeast'), ('Midwest'), ('South'), ('West'), ('Territories'), ('Unknown')) AS region(g);

-- The largest table (about one row per delivered message at realistic sizes). It has no foreign
-- keys: their per-row triggers doubled the load time. The ETL writes only segment keys of
-- member_segments and deletes the rows of campaigns that leave the warehouse.
CREATE TABLE member_interactions (
    interaction_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id      uuid    NOT NULL,
    member_segment   text    NOT NULL,
    interaction_date date    NOT NULL,
    interaction_type text    NOT NULL,
    count            integer NOT NULL CHECK (count >= 0),
    CONSTRAINT member_interactions_type_known
        CHECK (interaction_type IN ('Delivered', 'Open', 'Click', 'Engaged', 'Convert', 'OptOut')),
    CONSTRAINT member_interactions_one_per_key
        UNIQUE (campaign_id, member_segment, interaction_date, interaction_type)
);

-- HyperLogLog registers of the members reached (docs/metrics.md, "Reach").
CREATE TABLE campaign_reach_sketches (
    campaign_id uuid  NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    metric_date date  NOT NULL,
    sketch      bytea NOT NULL,
    PRIMARY KEY (campaign_id, metric_date)
);
CREATE INDEX campaign_reach_sketches_by_date ON campaign_reach_sketches (metric_date);

CREATE TABLE channel_reach_sketches (
    channel     text  NOT NULL CHECK (channel IN ('Email', 'SMS', 'Push')),
    metric_date date  NOT NULL,
    sketch      bytea NOT NULL,
    PRIMARY KEY (channel, metric_date)
);

CREATE TABLE etl_runs (
    run_id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at               timestamptz NOT NULL,
    finished_at              timestamptz,
    status                   text        NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted')),
    mode                     text        NOT NULL CHECK (mode IN ('full', 'incremental')),
    reporting_time_zone      text        NOT NULL,
    -- Events loaded after this instant (less the overlap window) were read.
    watermark_from           timestamptz,
    -- The latest loaded_at read; the next run starts from here.
    watermark                timestamptz,
    events_read              bigint  CHECK (events_read >= 0),
    duplicate_events         bigint  CHECK (duplicate_events >= 0),
    -- Events of messages with no 'delivered' event: counted in no metric (data quality).
    undelivered_events       bigint  CHECK (undelivered_events >= 0),
    campaign_days_written    integer CHECK (campaign_days_written >= 0),
    interaction_rows_written integer CHECK (interaction_rows_written >= 0),
    affected_start           date,
    affected_end             date,
    duration_ms              bigint  CHECK (duration_ms >= 0),
    error                    text
);

-- Two roles: the ETL writes with one, the app reads with the other. Both are NOLOGIN groups; an
-- administrator grants them to login users (docs/dashboard-database.md).
DO $$
BEGIN
    BEGIN
        CREATE ROLE outreach_etl NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
    BEGIN
        CREATE ROLE outreach_reader NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
END
$$;

GRANT USAGE ON SCHEMA public TO outreach_etl, outreach_reader;
GRANT SELECT, INSERT, UPDATE, DELETE ON
    dashboard_settings, campaigns, campaign_metrics_daily, member_segments, member_interactions,
    campaign_reach_sketches, channel_reach_sketches, etl_runs
    TO outreach_etl;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO outreach_etl;
GRANT SELECT ON
    dashboard_settings, campaigns, campaign_metrics_daily, member_segments, member_interactions,
    campaign_reach_sketches, channel_reach_sketches, etl_runs
    TO outreach_reader;
