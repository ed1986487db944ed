-- Rollups per campaign type (see the PostgreSQL migration of the same version). The demo
-- database has no sign-in: it always sees everything, so it may read the rollups over every
-- campaign (`whole_rollups`).

CREATE TABLE type_channel_metrics_daily (
    campaign_type       TEXT    NOT NULL,
    channel             TEXT    NOT NULL CHECK (channel IN ('Email', 'SMS', 'Push')),
    metric_date         TEXT    NOT NULL,
    total_sent          INTEGER NOT NULL CHECK (total_sent >= 0),
    total_impressions   INTEGER NOT NULL CHECK (total_impressions >= 0),
    total_opens         INTEGER NOT NULL CHECK (total_opens >= 0),
    total_clicks        INTEGER NOT NULL CHECK (total_clicks >= 0),
    total_engaged       INTEGER NOT NULL CHECK (total_engaged >= 0),
    total_conversions   INTEGER NOT NULL CHECK (total_conversions >= 0),
    total_opt_outs      INTEGER NOT NULL CHECK (total_opt_outs >= 0),
    total_bounces       INTEGER NOT NULL CHECK (total_bounces >= 0),
    total_machine_opens INTEGER NOT NULL CHECK (total_machine_opens >= 0),
    PRIMARY KEY (campaign_type, channel, metric_date)
) STRICT;

CREATE TABLE type_segment_metrics_daily (
    campaign_type  TEXT    NOT NULL,
    channel        TEXT    NOT NULL CHECK (channel IN ('Email', 'SMS', 'Push')),
    metric_date    TEXT    NOT NULL,
    member_segment TEXT    NOT NULL REFERENCES member_segments,
    impressions    INTEGER NOT NULL CHECK (impressions >= 0),
    opens          INTEGER NOT NULL CHECK (opens >= 0),
    clicks         INTEGER NOT NULL CHECK (clicks >= 0),
    engaged        INTEGER NOT NULL CHECK (engaged >= 0),
    conversions    INTEGER NOT NULL CHECK (conversions >= 0),
    opt_outs       INTEGER NOT NULL CHECK (opt_outs >= 0),
    PRIMARY KEY (campaign_type, channel, metric_date, member_segment)
) STRICT;

CREATE TABLE type_reach_rollups (
    campaign_type TEXT    NOT NULL,
    channel       TEXT    NOT NULL CHECK (channel IN ('Email', 'SMS', 'Push')),
    period        TEXT    NOT NULL CHECK (period IN ('day', 'week', 'month')),
    period_start  TEXT    NOT NULL,
    sketch        BLOB    NOT NULL,
    reach         INTEGER CHECK (reach >= 0),
    PRIMARY KEY (campaign_type, channel, period, period_start)
) STRICT;

ALTER TABLE dashboard_settings ADD COLUMN whole_rollups INTEGER NOT NULL DEFAULT 1 CHECK (whole_rollups = 1);

-- A demo file built before this version has no per-type rollups: read from the facts.
UPDATE dashboard_settings SET rollups_ready = 0;
