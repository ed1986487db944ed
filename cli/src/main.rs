//! `outreach`: the dashboard's questions on a terminal. Each subcommand asks the backend one
//! question and prints the answer as a table, or as JSON or CSV for scripts. It computes no
//! number itself.
//!
//! Depends on outreach-backend (the questions), outreach-model (the inputs, parsed once here)
//! and outreach-etl (to build the demo database on first use).

use outreach_cli::config;
mod output;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use outreach_backend::Dashboard;
use outreach_model::{
    CampaignId, CampaignSort, CampaignStatus, Channel, DateRange, Filter, Interval, Metric, Page,
    parse_date,
};
use time::Date;

use crate::output::Format;

/// Outreach Dashboard on the command line: campaign metrics as tables, JSON or CSV.
#[derive(Debug, Parser)]
#[command(name = "outreach", version, about)]
struct Cli {
    /// Dashboard database: a postgres:// URL or an SQLite file. Default: the config file's
    /// `database_url`, else the embedded demo database (built on first use).
    #[arg(
        long,
        global = true,
        env = "OUTREACH_DATABASE_URL",
        hide_env_values = true
    )]
    database: Option<String>,
    /// How to print the answer.
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Campaigns with their metrics over a date range.
    Campaigns {
        #[command(flatten)]
        filter: FilterArgs,
        /// Only campaigns whose name contains this text (ignoring case).
        #[arg(long)]
        search: Option<String>,
        /// Order by a metric (highest first), `name` or `start_date`.
        #[arg(long, default_value = "name", value_parser = parse_sort)]
        sort: CampaignSort,
        /// Page number, from 1.
        #[arg(long, default_value_t = 1)]
        page: u32,
        /// Rows per page.
        #[arg(long, default_value_t = 50)]
        page_size: u32,
    },
    /// One campaign's metrics per day, week or month.
    Metrics {
        /// The campaign's id (see `outreach campaigns`).
        #[arg(value_parser = parse_campaign)]
        campaign: CampaignId,
        #[command(flatten)]
        range: RangeArgs,
        /// How to cut the range.
        #[arg(long, default_value = "week", value_parser = parse_interval)]
        interval: Interval,
    },
    /// Metrics of every campaign of the filter, with the previous period's.
    Summary {
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// A metric over time, one series per channel and the total.
    Trend {
        /// The metric, e.g. opt_out_rate.
        #[arg(long, value_parser = parse_metric)]
        metric: Metric,
        /// How to cut the range.
        #[arg(long, default_value = "day", value_parser = parse_interval)]
        interval: Interval,
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Metrics per member segment and per segment dimension (counts from 1 to 10 show as <11).
    Segments {
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Whether the database answers, its schema version and how fresh the data is.
    Health,
}

#[derive(Debug, clap::Args)]
struct RangeArgs {
    /// First day (YYYY-MM-DD). Default: 89 days before the end.
    #[arg(long, value_parser = parse_day)]
    start: Option<Date>,
    /// Last day (YYYY-MM-DD). Default: today (UTC).
    #[arg(long, value_parser = parse_day)]
    end: Option<Date>,
}

impl RangeArgs {
    fn range(&self) -> anyhow::Result<DateRange> {
        let end = self
            .end
            .unwrap_or_else(|| time::OffsetDateTime::now_utc().date());
        Ok(match self.start {
            Some(start) => DateRange::new(start, end)?,
            None => DateRange::last_days(end, 90),
        })
    }
}

#[derive(Debug, clap::Args)]
struct FilterArgs {
    #[command(flatten)]
    range: RangeArgs,
    /// Only this campaign (repeatable).
    #[arg(long = "campaign", value_parser = parse_campaign)]
    campaigns: Vec<CampaignId>,
    /// Only this channel: Email, SMS or Push (repeatable).
    #[arg(long = "channel", value_parser = parse_channel)]
    channels: Vec<Channel>,
    /// Only campaigns of this type, e.g. "Wellness" (repeatable).
    #[arg(long = "type")]
    campaign_types: Vec<String>,
    /// Only campaigns in this status, e.g. Active (repeatable).
    #[arg(long = "status", value_parser = parse_status)]
    statuses: Vec<CampaignStatus>,
}

impl FilterArgs {
    fn filter(&self) -> anyhow::Result<Filter> {
        Ok(Filter {
            range: self.range.range()?,
            campaigns: self.campaigns.clone(),
            channels: self.channels.clone(),
            campaign_types: self.campaign_types.clone(),
            statuses: self.statuses.clone(),
        })
    }
}

fn parse_day(text: &str) -> Result<Date, String> {
    parse_date(text).map_err(|e| e.to_string())
}
fn parse_campaign(text: &str) -> Result<CampaignId, String> {
    text.parse()
        .map_err(|e: outreach_model::InvalidCampaignId| e.to_string())
}
fn parse_channel(text: &str) -> Result<Channel, String> {
    text.parse()
        .map_err(|e: outreach_model::UnknownName| e.to_string())
}
fn parse_status(text: &str) -> Result<CampaignStatus, String> {
    text.parse()
        .map_err(|e: outreach_model::UnknownName| e.to_string())
}
fn parse_metric(text: &str) -> Result<Metric, String> {
    text.parse()
        .map_err(|e: outreach_model::UnknownName| e.to_string())
}
fn parse_interval(text: &str) -> Result<Interval, String> {
    text.parse()
        .map_err(|e: outreach_model::UnknownName| e.to_string())
}
fn parse_sort(text: &str) -> Result<CampaignSort, String> {
    match text {
        "name" => Ok(CampaignSort::Name),
        "start_date" => Ok(CampaignSort::StartDate),
        _ => text
            .parse()
            .map(CampaignSort::Metric)
            .map_err(|e: outreach_model::UnknownName| format!("{e}, name, start_date")),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // One line: what went wrong and what to do. Every message here is written to stand
            // alone (the backend's include their cause), so the chain is not repeated.
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let Cli {
        database,
        format,
        command,
    } = cli;
    let url = config::database_url(database).await?;
    let dashboard = Dashboard::connect(&url).await?;
    let mut out = std::io::stdout().lock();
    match command {
        Command::Campaigns {
            filter,
            search,
            sort,
            page,
            page_size,
        } => {
            let page = Page::new(page, page_size)?;
            let answer = dashboard
                .campaigns(&filter.filter()?, search.as_deref(), sort, page)
                .await?;
            output::campaigns(&mut out, format, &answer)
        }
        Command::Metrics {
            campaign,
            range,
            interval,
        } => {
            let answer = dashboard
                .campaign_metrics(campaign, range.range()?, interval)
                .await?;
            output::campaign_metrics(&mut out, format, &answer)
        }
        Command::Summary { filter } => {
            let answer = dashboard.summary(&filter.filter()?).await?;
            output::summary(&mut out, format, &answer)
        }
        Command::Trend {
            metric,
            interval,
            filter,
        } => {
            let answer = dashboard.trend(&filter.filter()?, metric, interval).await?;
            output::trend(&mut out, format, &answer)
        }
        Command::Segments { filter } => {
            let answer = dashboard.segments(&filter.filter()?).await?;
            output::segments(&mut out, format, &answer)
        }
        Command::Health => {
            let answer = dashboard.health().await?;
            output::health(&mut out, format, &answer)
        }
    }
}
