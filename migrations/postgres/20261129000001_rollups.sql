-- Rollups: what the dashboard's widest questions read instead of the facts, so that an answer
-- over every campaign reads thousands of rows, not millions (docs/dashboard-database.md,
-- "Rollups"). The ETL rebuilds the rollups of every day it writes, and all of them on a full run
-- or while `rollups_ready` is false; readers use them only once it is true.

ALTER TABLE dashboard_settings ADD COLUMN rollups_ready boolean NOT NULL DEFAULT false;

-- Sums of campaign_metrics_daily per day and channel.
CREATE TABLE channel_metrics_daily (
    metric_date         date   NOT NULL,
    channel             text   NOT NULL CHECK (channel IN ('Email', 'SMS', 'Push')),
    total_sent          bigint NOT NULL CHECK (total_sent >= 0),
    total_impressions   bigint NOT NULL CHECK (total_impressions >= 0),
    total_opens         bigint NOT NULL CHECK (total_opens >= 0),
    total_clicks        bigint NOT NULL CHECK (total_clicks >= 0),
    total_engaged       bigint NOT NULL CHECK (total_engaged >= 0),
    total_conversions   bigint NOT NULL CHECK (total_conversions >= 0),
    total_opt_outs      bigint NOT NULL CHECK (total_opt_outs >= 0),
    total_bounces       bigint NOT NULL CHECK (total_bounces >= 0),
    total_machine_opens bigint NOT NULL CHECK (total_machine_opens >= 0),
    PRIMARY KEY (metric_date, channel)
);

-- Sums of member_interactions per day, channel and segment, one column per interaction type.
CREATE TABLE segment_metrics_daily (
    metric_date    date   NOT NULL,
    channel        text   NOT NULL CHECK (channel IN ('Email', 'SMS', 'Push')),
    member_segment text   NOT NULL REFERENCES member_segments,
    impressions    bigint NOT NULL CHECK (impressions >= 0),
    opens          bigint NOT NULL CHECK (opens >= 0),
    clicks         bigint NOT NULL CHECK (clicks >= 0),
    engaged        bigint NOT NULL CHECK (engaged >= 0),
    conversions    bigint NOT NULL CHECK (conversions >= 0),
    opt_outs       bigint NOT NULL CHECK (opt_outs >= 0),
    PRIMARY KEY (metric_date, channel, member_segment)
);

-- The union of every campaign's sketches per channel, and over all channels ('All'), per day,
-- ISO week and calendar month. Replaces channel_reach_sketches (its day rows per channel).
CREATE TABLE reach_rollups (
    scope        text  NOT NULL CHECK (scope IN ('Email', 'SMS', 'Push', 'All')),
    period       text  NOT NULL CHECK (period IN ('day', 'week', 'month')),
    period_start date  NOT NULL,
    sketch       bytea NOT NULL,
    PRIMARY KEY (scope, period, period_start)
);
DROP TABLE channel_reach_sketches;

GRANT SELECT, INSERT, UPDATE, DELETE ON
    channel_metrics_daily, segment_metrics_daily, reach_rollups
    TO outreach_etl;
GRANT TRUNCATE ON
    channel_metrics_daily, segment_metrics_daily, reach_rollups
    TO outreach_etl;
GRANT SELECT ON
    channel_metrics_daily, segment_metrics_daily, reach_rollups
    TO outreach_reader;
