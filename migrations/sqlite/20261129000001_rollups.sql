-- Rollups (see the PostgreSQL migration of the same version, and docs/dashboard-database.md).

ALTER TABLE dashboard_settings ADD COLUMN rollups_ready INTEGER NOT NULL DEFAULT 0 CHECK (rollups_ready IN (0, 1));

CREATE TABLE channel_metrics_daily (
    metric_date         TEXT    NOT NULL,
    channel             TEXT    NOT NULL CHECK (channel IN ('Email', 'SMS', 'Push')),
    total_sent          INTEGER NOT NULL CHECK (total_sent >= 0),
    total_impressions   INTEGER NOT NULL CHECK (total_impressions >= 0),
    total_opens         INTEGER NOT NULL CHECK (total_opens >= 0),
    total_clicks        INTEGER NOT NULL CHECK (total_clicks >= 0),
    total_engaged       INTEGER NOT NULL CHECK (total_engaged >= 0),
    total_conversions   INTEGER NOT NULL CHECK (total_conversions >= 0),
    total_opt_outs      INTEGER NOT NULL CHECK (total_opt_outs >= 0),
    total_bounces       INTEGER NOT NULL CHECK (total_bounces >= 0),
    total_machine_opens INTEGER NOT NULL CHECK (total_machine_opens >= 0),
    PRIMARY KEY (metric_date, channel)
) STRICT;

CREATE TABLE segment_metrics_daily (
    metric_date    TEXT    NOT NULL,
    channel        TEXT    NOT NULL CHECK (channel IN ('Email', 'SMS', 'Push')),
    member_segment TEXT    NOT NULL REFERENCES member_segments,
    impressions    INTEGER NOT NULL CHECK (impressions >= 0),
    opens          INTEGER NOT NULL CHECK (opens >= 0),
    clicks         INTEGER NOT NULL CHECK (clicks >= 0),
    engaged        INTEGER NOT NULL CHECK (engaged >= 0),
    conversions    INTEGER NOT NULL CHECK (conversions >= 0),
    opt_outs       INTEGER NOT NULL CHECK (opt_outs >= 0),
    PRIMARY KEY (metric_date, channel, member_segment)
) STRICT;

CREATE TABLE reach_rollups (
    scope        TEXT NOT NULL CHECK (scope IN ('Email', 'SMS', 'Push', 'All')),
    period       TEXT NOT NULL CHECK (period IN ('day', 'week', 'month')),
    period_start TEXT NOT NULL,
    sketch       BLOB NOT NULL,
    PRIMARY KEY (scope, period, period_start)
) STRICT;
DROP TABLE channel_reach_sketches;
