//! `outreach`: the dashboard's questions on a terminal. Each subcommand asks the backend one
//! question and prints the answer as a table, or as JSON or CSV for scripts. It computes no
//! number itself.
//!
//! Depends on outreach-backend (the questions, the configuration), outreach-model (the inputs,
//! parsed once here) and outreach-warehouse (to build the demo database on first use).

mod output;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use outreach_backend::audit::queue::{AuditQueue, Delivery, queue_key};
use outreach_backend::audit::{Event, EventKind};
use outreach_backend::config::{Config, Database, Overrides};
use outreach_backend::export::{self, ReportContext};
use outreach_backend::paths::AppDirs;
use outreach_backend::signin::session::KeptSession;
use outreach_backend::signin::{self, keychain::Keychain};
use outreach_backend::{Dashboard, MAX_RANKED};
use outreach_model::{
    CampaignId, CampaignOrder, CampaignSort, CampaignStatus, Channel, DateRange, ExportFormat,
    ExportRequest, Filter, Interval, Metric, Page, PaperSize, ReportView, parse_date,
};
use outreach_warehouse::demo::{self, DemoOutcome, DemoWork};
use time::Date;

use crate::output::Format;

/// Outreach Dashboard on the command line: campaign metrics as tables, JSON or CSV, and exports
/// (CSV files and PDF reports) for scheduled reports.
#[derive(Debug, Parser)]
#[command(name = "outreach", version, about)]
struct Cli {
    /// Dashboard database: a postgres:// URL or an SQLite file. Default: OUTREACH_DATABASE_URL,
    /// else the config file's `database_url`, else the embedded demo database (built on first
    /// use).
    #[arg(long, global = true)]
    database: Option<String>,
    /// The least volume (impressions; sent messages for the delivery rate) a campaign needs to
    /// be ranked best or worst. Default: OUTREACH_RANKING_MIN_VOLUME, else the config file's
    /// `[ranking] min_volume`, else 100.
    #[arg(long, global = true)]
    min_volume: Option<i64>,
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
        /// The sort's other direction (Z to A, earliest first, lowest first; no value still last).
        #[arg(long)]
        reverse: bool,
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
    /// The best and worst campaigns by a rate, among those with enough volume for it.
    Ranking {
        /// The rate: engagement_rate, conversion_rate, opt_out_rate or delivery_rate.
        #[arg(long, default_value = "engagement_rate", value_parser = parse_rate)]
        metric: Metric,
        /// Campaigns in each list.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_RANKED)))]
        count: u32,
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
    /// Signs in with the identity provider of the config file's [sign_in], in the browser
    /// (BROWSER, else the system's); the refresh token is kept in the OS keychain only.
    Login {
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 300)]
        timeout: u64,
    },
    /// Signs out: the refresh token leaves the OS keychain.
    Logout,
    /// The audit trail, for an admin: check its hash chain, or list who did what.
    Audit {
        #[command(subcommand)]
        action: AuditCommand,
    },
    /// Writes a view as CSV (its table, every row) or as a PDF report, for scheduled reports.
    Export {
        /// csv or pdf.
        #[arg(value_name = "FORMAT", value_parser = parse_export_format)]
        kind: ExportFormat,
        /// The file to write (replaced atomically: a failed export leaves the old file).
        #[arg(long)]
        out: PathBuf,
        /// The view: overview, campaigns, campaign <id> or segments.
        #[arg(long, num_args = 1..=2, value_names = ["VIEW", "ID"], default_values = ["overview"])]
        view: Vec<String>,
        #[command(flatten)]
        filter: FilterArgs,
        /// The overview's trend metric.
        #[arg(long, default_value = "engagement_rate", value_parser = parse_metric)]
        metric: Metric,
        /// The rate the overview's best and worst campaigns are ranked by.
        #[arg(long, default_value = "engagement_rate", value_parser = parse_rate)]
        ranked_by: Metric,
        /// How trends and a campaign's metrics are cut (default: day for the overview, week
        /// for a campaign).
        #[arg(long, value_parser = parse_interval)]
        interval: Option<Interval>,
        /// The campaign list: only campaigns whose name contains this text.
        #[arg(long)]
        search: Option<String>,
        /// The campaign list's order: a metric (highest first), `name` or `start_date`.
        #[arg(long, default_value = "name", value_parser = parse_sort)]
        sort: CampaignSort,
        /// The campaign list's other direction.
        #[arg(long)]
        reverse: bool,
        /// The PDF's paper: a4 or letter.
        #[arg(long, default_value = "a4", value_parser = parse_paper)]
        paper: PaperSize,
        /// Start the CSV with a UTF-8 byte-order mark (Excel on Windows needs it for UTF-8).
        #[arg(long)]
        bom: bool,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Checks every row of the trail against the hash chain; names the first broken row and
    /// exits 1 if one was changed, removed or inserted.
    Verify,
    /// Lists the events recorded since a day or a time (oldest first), as a table, JSON or CSV.
    Report {
        /// From this day (YYYY-MM-DD, UTC) or time (RFC 3339, e.g. 2026-12-05T09:00:00Z).
        #[arg(long, value_parser = parse_since)]
        since: time::OffsetDateTime,
        /// Only this person (their subject at the identity provider, as the trail shows it).
        #[arg(long)]
        person: Option<String>,
    },
}

fn parse_since(text: &str) -> Result<time::OffsetDateTime, String> {
    if let Ok(day) = parse_date(text) {
        return Ok(day.midnight().assume_utc());
    }
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).map_err(
        |_| {
            format!(
                "{text:?} is not a day (YYYY-MM-DD) or a time (RFC 3339, e.g. 2026-12-05T09:00:00Z)"
            )
        },
    )
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
fn parse_rate(text: &str) -> Result<Metric, String> {
    match parse_metric(text)? {
        metric if metric.is_rate() => Ok(metric),
        metric => Err(outreach_backend::RankingError::NotARate(metric).to_string()),
    }
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

fn parse_export_format(text: &str) -> Result<ExportFormat, String> {
    text.parse()
        .map_err(|e: outreach_model::UnknownName| e.to_string())
}
fn parse_paper(text: &str) -> Result<PaperSize, String> {
    text.to_ascii_lowercase()
        .parse()
        .map_err(|e: outreach_model::UnknownName| e.to_string())
}

/// `--view overview|campaigns|campaign <id>|segments` with the view's own options.
fn report_view(
    words: &[String],
    metric: Metric,
    ranked_by: Metric,
    interval: Option<Interval>,
    search: Option<String>,
    order: CampaignOrder,
) -> anyhow::Result<ReportView> {
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    Ok(match words.as_slice() {
        ["overview"] => ReportView::Overview {
            metric,
            interval: interval.unwrap_or(Interval::Day),
            ranked_by,
        },
        ["campaigns"] => ReportView::Campaigns {
            search,
            sort: order.sort,
            reversed: order.reversed,
        },
        ["campaign", id] => ReportView::Campaign {
            campaign_id: parse_campaign(id).map_err(anyhow::Error::msg)?,
            interval: interval.unwrap_or(Interval::Week),
        },
        ["campaign"] => anyhow::bail!(
            "--view campaign needs the campaign's id, e.g. --view campaign <id> (`outreach campaigns` lists them)"
        ),
        ["segments"] => ReportView::Segments,
        _ => anyhow::bail!(
            "unknown view {:?}: expected overview, campaigns, campaign <id> or segments",
            words.join(" ")
        ),
    })
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

/// The configured identity provider, or a message that says how to configure one.
async fn provider(config: &Config) -> anyhow::Result<signin::Provider> {
    let Some(sign_in) = &config.sign_in else {
        anyhow::bail!(
            "no identity provider is configured: set [sign_in] issuer and client_id in the config file (docs/security.md); the demo database needs no sign-in"
        );
    };
    Ok(signin::Provider::discover(sign_in.clone()).await?)
}

/// An open dashboard and, when a person is signed in, the queue their audit events go through.
struct Opened {
    dashboard: Dashboard,
    audit: Option<AuditQueue>,
    /// Keeps the sign-in fresh while the command runs.
    _session: Option<KeptSession>,
}

impl Opened {
    /// Records that the person asked `question` with `filter` (nothing without a sign-in). If
    /// the event cannot be kept, the question is not asked.
    async fn record_view(&self, question: &str, filter: serde_json::Value) -> anyhow::Result<()> {
        let Some(queue) = &self.audit else {
            return Ok(());
        };
        let event = Event::now(
            EventKind::View,
            serde_json::json!({ "question": question, "filter": filter }),
        );
        let delivery = self.dashboard.record_event(queue, &event).await?;
        say_if_queued(queue, &delivery);
        Ok(())
    }
}

/// Says on stderr that audit events wait to be sent, or were set aside.
fn say_if_queued(queue: &AuditQueue, delivery: &Delivery) {
    if let Delivery::Queued {
        waiting, reason, ..
    } = delivery
    {
        eprintln!(
            "note: {waiting} audit event(s) wait in {} to be recorded ({reason}); they are sent with your next command",
            queue.dir().display()
        );
    }
    for file in delivery.set_aside() {
        eprintln!(
            "warning: the audit event in {} cannot be recorded (it is damaged or the database refuses it) and was set aside: give it to your administrator",
            file.display()
        );
    }
}

/// The dashboard the configuration names, or the demo, built on first use (said on stderr).
async fn open(config: &Config, dirs: &AppDirs) -> anyhow::Result<Opened> {
    match &config.database {
        Database::Configured(url) if config.sign_in.is_some() => {
            let mut provider = provider(config).await?;
            let (session, queue) = match &config.service {
                // A scheduled job: the service identity, no person and no keychain.
                Some(service) => {
                    let tokens = provider.client_credentials(service).await?;
                    let queue = AuditQueue::open(&dirs.audit_queue(&queue_key(
                        &provider.config().issuer,
                        &tokens.subject,
                        url.expose(),
                    )))?;
                    (
                        KeptSession::start_service(provider, service.clone(), tokens),
                        queue,
                    )
                }
                None => {
                    let keychain = Keychain::for_provider(provider.config());
                    let tokens = signin::resume(&mut provider, &keychain).await?;
                    let queue = AuditQueue::open(&dirs.audit_queue(&queue_key(
                        &provider.config().issuer,
                        &tokens.subject,
                        url.expose(),
                    )))?;
                    // A long export outlives a short-lived ID token: the session refreshes it.
                    (
                        KeptSession::start(provider, std::sync::Arc::new(keychain), tokens),
                        queue,
                    )
                }
            };
            let dashboard = Dashboard::connect_signed_in(url.expose(), session.sign_in()).await?;
            // What an earlier command could not send goes first.
            say_if_queued(&queue, &dashboard.send_queued(&queue).await?);
            Ok(Opened {
                dashboard,
                audit: Some(queue),
                _session: Some(session),
            })
        }
        Database::Configured(url) => Ok(Opened {
            dashboard: Dashboard::connect(url.expose()).await?,
            audit: None,
            _session: None,
        }),
        Database::Demo => {
            let path = dirs.demo_database();
            let today = time::OffsetDateTime::now_utc().date();
            let outcome = demo::ensure(&path, today, |work| match work {
                DemoWork::Build => eprintln!(
                    "No dashboard database is configured (--database, OUTREACH_DATABASE_URL or database_url in {}): building the demo database from synthetic data at {} …",
                    dirs.config_file().display(),
                    path.display()
                ),
                DemoWork::Rebuild { found, expected } => eprintln!(
                    "The demo database at {} has schema version {found}, this build reads {expected}: rebuilding it …",
                    path.display()
                ),
            })
            .await?;
            if let DemoOutcome::Built { summary, .. } = outcome {
                eprintln!(
                    "Demo database ready: {} campaigns, {} campaign-days.",
                    summary.campaigns, summary.campaign_days
                );
            }
            Ok(Opened {
                dashboard: Dashboard::connect_demo(&path).await?,
                audit: None,
                _session: None,
            })
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let Cli {
        database,
        min_volume,
        format,
        command,
    } = cli;
    let dirs = AppDirs::new()?;
    let config = Config::load(
        &dirs,
        Overrides {
            database,
            min_volume,
        },
    )?;
    let mut out = std::io::stdout().lock();
    match command {
        Command::Login { timeout } => {
            let mut provider = provider(&config).await?;
            let keychain = Keychain::for_provider(provider.config());
            let tokens = signin::sign_in(
                &mut provider,
                &keychain,
                signin::open_in_browser,
                std::time::Duration::from_secs(timeout),
            )
            .await?;
            writeln!(out, "signed in as {}", tokens.subject)?;
            if tokens.refresh_token.is_none() {
                writeln!(
                    out,
                    "the identity provider issued no refresh token (ask for the offline_access scope), so the next command will ask you to sign in again"
                )?;
            }
            return Ok(());
        }
        Command::Logout => {
            let Some(sign_in) = &config.sign_in else {
                anyhow::bail!(
                    "no identity provider is configured: there is nothing to sign out of"
                );
            };
            // Recorded in the audit trail when the database and the provider answer (a last
            // refresh names the person to the database); the keychain is emptied either way.
            if config.service.is_none()
                && matches!(config.database, Database::Configured(_))
                && let Ok(opened) = open(&config, &dirs).await
                && let Err(err) = opened.dashboard.sign_out().await
            {
                eprintln!("note: the sign-out could not be recorded in the audit trail ({err})");
            }
            signin::sign_out(&Keychain::for_provider(sign_in)).await?;
            writeln!(out, "signed out")?;
            return Ok(());
        }
        _ => {}
    }
    let opened = open(&config, &dirs).await?;
    let dashboard = &opened.dashboard;
    let filter_json = |filter: &Filter| serde_json::to_value(filter).unwrap_or_default();
    match command {
        Command::Campaigns {
            filter,
            search,
            sort,
            reverse,
            page,
            page_size,
        } => {
            let page = Page::new(page, page_size)?;
            let order = CampaignOrder {
                sort,
                reversed: reverse,
            };
            let filter = filter.filter()?;
            opened
                .record_view("campaigns", filter_json(&filter))
                .await?;
            let answer = dashboard
                .campaigns(&filter, search.as_deref(), order, page)
                .await?;
            output::campaigns(&mut out, format, &answer)
        }
        Command::Ranking {
            metric,
            count,
            filter,
        } => {
            let filter = filter.filter()?;
            opened.record_view("ranking", filter_json(&filter)).await?;
            let answer = dashboard
                .ranking(&filter, metric, count, config.min_volume)
                .await?;
            output::ranking(&mut out, format, &answer)
        }
        Command::Metrics {
            campaign,
            range,
            interval,
        } => {
            let range = range.range()?;
            opened
                .record_view(
                    "campaign_metrics",
                    serde_json::json!({ "campaign": campaign, "range": range }),
                )
                .await?;
            let answer = dashboard
                .campaign_metrics(campaign, range, interval)
                .await?;
            output::campaign_metrics(&mut out, format, &answer)
        }
        Command::Summary { filter } => {
            let filter = filter.filter()?;
            opened.record_view("summary", filter_json(&filter)).await?;
            let answer = dashboard.summary(&filter).await?;
            output::summary(&mut out, format, &answer)
        }
        Command::Trend {
            metric,
            interval,
            filter,
        } => {
            let filter = filter.filter()?;
            opened.record_view("trend", filter_json(&filter)).await?;
            let answer = dashboard.trend(&filter, metric, interval).await?;
            output::trend(&mut out, format, &answer, filter.range)
        }
        Command::Segments { filter } => {
            let filter = filter.filter()?;
            opened.record_view("segments", filter_json(&filter)).await?;
            let answer = dashboard.segments(&filter).await?;
            output::segments(&mut out, format, &answer)
        }
        Command::Login { .. } | Command::Logout => Ok(()),
        Command::Health => {
            let answer = dashboard.health().await?;
            output::health(&mut out, format, &answer)
        }
        Command::Audit { action } => audit(&opened, action, format, &mut out).await,
        Command::Export {
            kind,
            out: path,
            view,
            filter,
            metric,
            ranked_by,
            interval,
            search,
            sort,
            reverse,
            paper,
            bom,
        } => {
            let order = CampaignOrder {
                sort,
                reversed: reverse,
            };
            let request = ExportRequest {
                format: kind,
                view: report_view(&view, metric, ranked_by, interval, search, order)?,
                filter: filter.filter()?,
                paper,
                byte_order_mark: bom,
            };
            let context = ReportContext {
                min_volume: config.min_volume,
                ..ReportContext::for_os_account(time::OffsetDateTime::now_utc())
            };
            // The export's event is queued, durably, before the file takes its name; it is
            // sent once the file is there (or with a later command).
            let done = export::export_recorded(dashboard, &request, &path, &context, |count| {
                let Some(queue) = &opened.audit else {
                    return Ok(());
                };
                queue.push(&Event::export(&request, &path, count))
            })
            .await?;
            if let Some(queue) = &opened.audit {
                say_if_queued(queue, &dashboard.send_queued(queue).await?);
            }
            let what = match kind {
                ExportFormat::Csv => "rows",
                ExportFormat::Pdf => "pages",
            };
            writeln!(
                out,
                "wrote {} ({} {what}, {} bytes)",
                done.path, done.rows_or_pages, done.bytes
            )?;
            Ok(())
        }
    }
}

/// `outreach audit verify|report`: for an admin (the database refuses anyone else).
async fn audit(
    opened: &Opened,
    action: AuditCommand,
    format: Format,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    if opened.audit.is_none() {
        anyhow::bail!(
            "the audit trail is kept by a dashboard database with sign-in: configure [sign_in] and database_url (docs/security.md), then run `outreach login` as an admin"
        );
    }
    match action {
        AuditCommand::Verify => {
            opened
                .record_view("audit_verify", serde_json::Value::Null)
                .await?;
            match opened.dashboard.verify_audit().await? {
                Ok(rows) => {
                    writeln!(
                        out,
                        "the audit trail is intact: {rows} events, each linked to the one before"
                    )?;
                    Ok(())
                }
                Err(broken) => anyhow::bail!(
                    "the audit trail is broken: {broken}. Keep the database as it is and tell your security officer; the rows before it are intact"
                ),
            }
        }
        AuditCommand::Report { since, person } => {
            opened
                .record_view(
                    "audit_report",
                    serde_json::json!({ "since": since.to_string(), "person": person }),
                )
                .await?;
            let entries = opened.dashboard.audit_since(since).await?;
            let entries: Vec<_> = entries
                .into_iter()
                .filter(|e| person.as_ref().is_none_or(|p| &e.actor == p))
                .collect();
            output::audit_report(out, format, &entries)
        }
    }
}
