-- Rollups per campaign type (docs/dashboard-database.md, "Rollups"; docs/security.md): the
-- sums and reach sketches of every campaign of one type and channel, per day (and, for reach,
-- per ISO week and calendar month). A scope is a set of campaign types and channels, so each
-- row is either wholly inside a person's scope or wholly outside it, and a scoped viewer (or an
-- admin filtering by type) reads these few thousand rows instead of millions of facts. The
-- rollups over every campaign stay: they answer the unscoped, unfiltered questions with one row
-- where these would need one per type.

CREATE TABLE type_channel_metrics_daily (
    campaign_type       text   NOT NULL,
    channel             text   NOT NULL CHECK (channel IN ('Email', 'SMS', 'Push')),
    metric_date         date   NOT NULL,
    total_sent          bigint NOT NULL CHECK (total_sent >= 0),
    total_impressions   bigint NOT NULL CHECK (total_impressions >= 0),
    total_opens         bigint NOT NULL CHECK (total_opens >= 0),
    total_clicks        bigint NOT NULL CHECK (total_clicks >= 0),
    total_engaged       bigint NOT NULL CHECK (total_engaged >= 0),
    total_conversions   bigint NOT NULL CHECK (total_conversions >= 0),
    total_opt_outs      bigint NOT NULL CHECK (total_opt_outs >= 0),
    total_bounces       bigint NOT NULL CHECK (total_bounces >= 0),
    total_machine_opens bigint NOT NULL CHECK (total_machine_opens >= 0),
    PRIMARY KEY (campaign_type, channel, metric_date)
);
CREATE INDEX type_channel_metrics_by_day ON type_channel_metrics_daily (metric_date);

CREATE TABLE type_segment_metrics_daily (
    campaign_type  text   NOT NULL,
    channel        text   NOT NULL CHECK (channel IN ('Email', 'SMS', 'Push')),
    metric_date    date   NOT NULL,
    member_segment text   NOT NULL REFERENCES member_segments,
    impressions    bigint NOT NULL CHECK (impressions >= 0),
    opens          bigint NOT NULL CHECK (opens >= 0),
    clicks         bigint NOT NULL CHECK (clicks >= 0),
    engaged        bigint NOT NULL CHECK (engaged >= 0),
    conversions    bigint NOT NULL CHECK (conversions >= 0),
    opt_outs       bigint NOT NULL CHECK (opt_outs >= 0),
    PRIMARY KEY (campaign_type, channel, metric_date, member_segment)
);
CREATE INDEX type_segment_metrics_by_day ON type_segment_metrics_daily (metric_date);

-- The union of the sketches of every campaign of a type and channel. No row over all channels:
-- a scope may hold some of a type's channels only, and a reader merges the channels it sees.
CREATE TABLE type_reach_rollups (
    campaign_type text   NOT NULL,
    channel       text   NOT NULL CHECK (channel IN ('Email', 'SMS', 'Push')),
    period        text   NOT NULL CHECK (period IN ('day', 'week', 'month')),
    period_start  date   NOT NULL,
    sketch        bytea  NOT NULL,
    reach         bigint CHECK (reach >= 0),
    PRIMARY KEY (campaign_type, channel, period, period_start)
);
CREATE INDEX type_reach_rollups_by_start ON type_reach_rollups (period_start);

GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON
    type_channel_metrics_daily, type_segment_metrics_daily, type_reach_rollups
    TO outreach_etl;

-- The next ETL run (or `outreach-etl rollups`) builds them; until then readers use the facts.
UPDATE dashboard_settings SET rollups_ready = false;

-- ---------------------------------------------------------------------------------------------
-- Who sees which. The (campaign type, channel) pairs of this connection's scope: those of the
-- campaigns it may see (dashboard.campaigns' rule), found once per statement over the distinct
-- pairs, so that a view joins a handful of pairs to its rollups by their key instead of testing
-- the grants on every row.
CREATE FUNCTION auth.scope_pairs()
RETURNS TABLE (campaign_type text, channel text)
LANGUAGE sql STABLE SECURITY DEFINER ROWS 10
SET search_path = pg_catalog, pg_temp AS $$
    SELECT p.campaign_type, p.channel
    FROM (SELECT DISTINCT c.campaign_type, c.channel FROM public.campaigns c) p
    CROSS JOIN auth.current_scope() s
    WHERE s.everything
       OR EXISTS (SELECT 1 FROM jsonb_array_elements(s.grants) g
                  WHERE (jsonb_typeof(g->'campaign_types') = 'null' OR g->'campaign_types' ? p.campaign_type)
                    AND (jsonb_typeof(g->'channels') = 'null' OR g->'channels' ? p.channel))
$$;

CREATE VIEW dashboard.type_channel_metrics_daily WITH (security_barrier) AS
SELECT r.* FROM public.type_channel_metrics_daily r
WHERE (r.campaign_type, r.channel) IN (SELECT p.campaign_type, p.channel FROM auth.scope_pairs() p);

CREATE VIEW dashboard.type_segment_metrics_daily WITH (security_barrier) AS
SELECT r.* FROM public.type_segment_metrics_daily r
WHERE (r.campaign_type, r.channel) IN (SELECT p.campaign_type, p.channel FROM auth.scope_pairs() p);

CREATE VIEW dashboard.type_reach_rollups WITH (security_barrier) AS
SELECT r.* FROM public.type_reach_rollups r
WHERE (r.campaign_type, r.channel) IN (SELECT p.campaign_type, p.channel FROM auth.scope_pairs() p);

-- Every session that signed in is told whether the rollups are built (the per-campaign and
-- per-type rollups hold its scope's rows only), and `whole_rollups` says whether it may read
-- the rollups over every campaign (only a session that sees everything).
CREATE OR REPLACE VIEW dashboard.dashboard_settings WITH (security_barrier) AS
SELECT d.singleton, d.reporting_time_zone, d.rollups_ready, s.everything AS whole_rollups
FROM public.dashboard_settings d
CROSS JOIN auth.current_scope() s;

REVOKE EXECUTE ON FUNCTION auth.scope_pairs() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.scope_pairs() TO outreach_reader, outreach_etl;
GRANT SELECT ON
    dashboard.type_channel_metrics_daily, dashboard.type_segment_metrics_daily,
    dashboard.type_reach_rollups
    TO outreach_reader, outreach_etl;
