//! `outreach-etl`: loads the dashboard database from the warehouse, and makes synthetic
//! warehouses and the embedded demo database.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use outreach_etl::generate::{self, Mode};
use outreach_etl::{ReportingZone, RunOptions};
use outreach_warehouse::synthetic::GenerateOptions;
use time::{Date, OffsetDateTime};

#[derive(Debug, Parser)]
#[command(
    name = "outreach-etl",
    version,
    about = "Warehouse -> Outreach Dashboard database"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Load the dashboard database from the warehouse (incremental unless --full).
    Run {
        /// Warehouse URL (postgres://…).
        #[arg(long, env = "OUTREACH_WAREHOUSE_URL", hide_env_values = true)]
        warehouse: String,
        /// Dashboard database URL (postgres://…).
        #[arg(long, env = "OUTREACH_DATABASE_URL", hide_env_values = true)]
        dashboard: String,
        /// Rebuild every day instead of those that changed.
        #[arg(long)]
        full: bool,
        /// Reporting time zone (IANA name); changing it rebuilds every day. Default: the
        /// dashboard database's, UTC when new.
        #[arg(long)]
        timezone: Option<String>,
        /// Re-read events loaded up to this many minutes before the last watermark.
        #[arg(long, default_value_t = 60)]
        overlap_minutes: u64,
        /// Warehouse connections that aggregate at once, each over a part of the members.
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=64))]
        parallel: u16,
    },
    /// Rebuild every rollup of the dashboard database from its facts (after a migration that
    /// adds rollups, on a database no run will load soon, such as the scale dataset's).
    Rollups {
        /// Dashboard database URL.
        #[arg(long, env = "OUTREACH_DATABASE_URL", hide_env_values = true)]
        dashboard: String,
    },
    /// Create or migrate the dashboard schema, and nothing else.
    Migrate {
        /// Dashboard database URL (postgres://…).
        #[arg(long, env = "OUTREACH_DATABASE_URL", hide_env_values = true)]
        dashboard: String,
    },
    /// Fill a warehouse with realistic synthetic data (deterministic for a seed).
    Generate {
        /// Warehouse URL (postgres://…).
        #[arg(long, env = "OUTREACH_WAREHOUSE_URL", hide_env_values = true)]
        warehouse: String,
        #[command(flatten)]
        size: Size,
        /// Drop an existing synthetic warehouse first.
        #[arg(long, conflicts_with = "append")]
        replace: bool,
        /// Add the events that landed after the warehouse's latest loaded_at, up to --as-of.
        #[arg(long)]
        append: bool,
    },
    /// Print the full aggregation as a psql script (PREPARE and EXECUTE), to time the warehouse
    /// alone: bench/etl.sh compares it with a whole run.
    #[command(hide = true)]
    AggregationSql {
        /// Reporting time zone.
        #[arg(long, default_value = "UTC")]
        timezone: String,
    },
    /// Fill an empty dashboard database with dashboard-level rows at a large plan's size, for
    /// the read benchmarks (no warehouse; the role must own the tables).
    Scale {
        /// Dashboard database URL (postgres://…); migrated first.
        #[arg(long, env = "OUTREACH_DATABASE_URL", hide_env_values = true)]
        dashboard: String,
        /// Campaigns.
        #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        campaigns: u32,
        /// Days of history.
        #[arg(long, default_value_t = 730, value_parser = clap::value_parser!(u32).range(1..=3_650))]
        days: u32,
        /// Members of the synthetic population.
        #[arg(long, default_value_t = 5_000_000, value_parser = clap::value_parser!(u32).range(1_000..=50_000_000))]
        members: u32,
        /// Member segments each campaign targets.
        #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u16).range(1..=700))]
        segments: u16,
        /// Random seed.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Last day of the history, YYYY-MM-DD (default: today, UTC).
        #[arg(long, value_parser = parse_date)]
        end_date: Option<Date>,
    },
    /// Who may see what: the identity provider, its keys, and what its groups are granted
    /// (docs/security.md). Run as the dashboard database's owner; each change is audited.
    Access {
        /// Dashboard database URL (postgres://…).
        #[arg(long, env = "OUTREACH_DATABASE_URL", hide_env_values = true)]
        dashboard: String,
        #[command(subcommand)]
        action: Access,
    },
    /// Build the embedded demo database (SQLite) with no server at all.
    Demo {
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        size: Size,
    },
}

#[derive(Debug, Subcommand)]
enum Access {
    /// Trust an OpenID provider: its issuer and the client ids whose tokens it accepts.
    Configure {
        /// The issuer, exactly as its tokens' `iss` says it (https://login.example.org/…).
        #[arg(long)]
        issuer: String,
        /// A client id whose tokens are accepted (the desktop app's; a service identity's).
        #[arg(long = "client-id", required = true)]
        client_ids: Vec<String>,
        /// The claim that carries the person's groups (Entra's app roles: `roles`).
        #[arg(long, default_value = "groups")]
        groups_claim: String,
        /// Clock skew allowed on a token's times, in seconds (0 to 300).
        #[arg(long, default_value_t = 60)]
        leeway_seconds: i32,
    },
    /// Replace the provider's signing keys with those of its JWKS document (a file, or - for
    /// standard input): after a key rotation, before its tokens are used.
    Keys {
        /// The provider's jwks_uri document.
        #[arg(long)]
        jwks: PathBuf,
    },
    /// Give an identity-provider group a role over some campaigns (all unless narrowed).
    Grant {
        /// The group, as the groups claim names it.
        #[arg(long)]
        group: String,
        /// viewer, analyst (also exports) or admin (everything, and the audit trail).
        #[arg(long)]
        role: outreach_model::Role,
        /// Only campaigns of this type (repeat for more).
        #[arg(long = "campaign-type")]
        campaign_types: Vec<String>,
        /// Only campaigns on this channel (repeat for more).
        #[arg(long = "channel")]
        channels: Vec<outreach_model::Channel>,
    },
    /// Have the server's pgaudit log every read of the app's database login (pgaudit must be
    /// loaded: docs/security.md).
    AuditReads {
        /// The login the app connects with (the one that holds outreach_reader).
        #[arg(long)]
        login: String,
    },
    /// Take a group's grant away.
    Revoke {
        /// The group.
        #[arg(long)]
        group: String,
    },
    /// List every grant.
    List,
}

#[derive(Debug, clap::Args)]
struct Size {
    /// Members in the CRM.
    #[arg(long, default_value_t = 20_000)]
    members: u32,
    /// Campaigns.
    #[arg(long, default_value_t = 60)]
    campaigns: u32,
    /// Days of history.
    #[arg(long, default_value_t = 180)]
    days: u32,
    /// Random seed.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Last day of the history, YYYY-MM-DD (default: today, UTC).
    #[arg(long, value_parser = parse_date)]
    end_date: Option<Date>,
    /// Only events that landed by this instant (RFC 3339; default: the end of --end-date).
    #[arg(long, value_parser = parse_instant)]
    as_of: Option<OffsetDateTime>,
}

impl Size {
    fn options(&self) -> GenerateOptions {
        let end_date = self
            .end_date
            .unwrap_or_else(|| OffsetDateTime::now_utc().date());
        GenerateOptions {
            members: self.members,
            campaigns: self.campaigns,
            days: self.days,
            seed: self.seed,
            end_date,
            as_of: self.as_of.unwrap_or_else(|| {
                OffsetDateTime::new_utc(end_date, time::Time::MIDNIGHT) + time::Duration::days(1)
            }),
        }
    }
}

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| format!("{text:?} is not a date; write it as YYYY-MM-DD"))
}

fn parse_instant(text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).map_err(|_| {
        format!("{text:?} is not an instant; write it as RFC 3339, e.g. 2026-11-28T00:00:00Z")
    })
}

fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// The library's progress, shown as a bar on the terminal.
struct Bar(ProgressBar);

impl outreach_etl::Progress for Bar {
    fn length(&self, steps: u64) {
        self.0.set_length(steps);
    }
    fn stage(&self, message: &str) {
        self.0.set_message(message.to_owned());
    }
    fn advance(&self, steps: u64) {
        self.0.inc(steps);
    }
    fn finished(&self, succeeded: bool) {
        if succeeded {
            self.0.finish_and_clear();
        } else {
            self.0.abandon_with_message("failed");
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("OUTREACH_LOG").unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("info,sqlx=warn,sqlx::query=off")
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match execute(cli.command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("outreach-etl: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn execute(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Run {
            warehouse,
            dashboard,
            full,
            timezone,
            overlap_minutes,
            parallel,
        } => {
            let zone = timezone.as_deref().map(ReportingZone::new).transpose()?;
            let options = RunOptions {
                full,
                zone,
                overlap: Duration::from_secs(overlap_minutes * 60),
                parallelism: parallel,
            };
            let report =
                outreach_etl::run(&warehouse, &dashboard, &options, &Bar(progress_bar())).await?;
            tracing::info!(
                run_id = report.run_id,
                mode = if report.full { "full" } else { "incremental" },
                events_read = report.events_read,
                duplicate_events = report.duplicate_events,
                undelivered_events = report.undelivered_events,
                campaign_days = report.campaign_days,
                interactions = report.interactions,
                duration_ms = report.duration.as_millis() as u64,
                "run committed"
            );
            println!(
                "run {}: {} in {:.1} s, {} events read ({} repeated, {} of undelivered messages), {} campaign-days{}",
                report.run_id,
                if report.full { "full" } else { "incremental" },
                report.duration.as_secs_f64(),
                report.events_read,
                report.duplicate_events,
                report.undelivered_events,
                report.campaign_days,
                report
                    .affected
                    .map(|(a, b)| format!(" from {a} to {b}"))
                    .unwrap_or_default(),
            );
        }
        Command::Rollups { dashboard } => {
            let started = std::time::Instant::now();
            let mut conn = outreach_etl::connect("dashboard", &dashboard).await?;
            outreach_etl::schema::migrate(&mut conn).await?;
            outreach_etl::rollups::rebuild_all(&mut conn).await?;
            println!(
                "every rollup rebuilt in {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
        Command::Migrate { dashboard } => {
            let mut conn = outreach_etl::connect("dashboard", &dashboard).await?;
            outreach_etl::schema::migrate(&mut conn).await?;
            println!(
                "dashboard schema at version {}",
                outreach_backend::schema::version()
            );
        }
        Command::Generate {
            warehouse,
            size,
            replace,
            append,
        } => {
            let mode = if append {
                Mode::Append
            } else if replace {
                Mode::Replace
            } else {
                Mode::Create
            };
            let started = std::time::Instant::now();
            let generated =
                generate::to_warehouse(&warehouse, &size.options(), mode, &Bar(progress_bar()))
                    .await?;
            println!(
                "generated {} events, {} members, {} campaigns in {:.1} s",
                generated.events,
                generated.members,
                generated.campaigns,
                started.elapsed().as_secs_f64()
            );
        }
        Command::Access { dashboard, action } => {
            let mut conn = outreach_etl::connect("dashboard", &dashboard).await?;
            access(&mut conn, action).await?;
        }
        Command::AggregationSql { timezone } => {
            let zone = ReportingZone::new(&timezone)?;
            print!("{}", outreach_etl::pushdown::psql_script(&zone));
        }
        Command::Scale {
            dashboard,
            campaigns,
            days,
            members,
            segments,
            seed,
            end_date,
        } => {
            let mut conn = outreach_etl::connect("dashboard", &dashboard).await?;
            outreach_etl::schema::migrate(&mut conn).await?;
            let options = outreach_etl::scale::ScaleOptions {
                campaigns,
                days,
                members,
                segments_per_campaign: usize::from(segments),
                seed,
                end_date: end_date.unwrap_or_else(|| OffsetDateTime::now_utc().date()),
            };
            let bar = progress_bar();
            bar.set_message("pieces of rows copied");
            let report = outreach_etl::scale::load(&mut conn, options, |done, _| {
                bar.set_position(done);
            })
            .await?;
            bar.finish_and_clear();
            println!(
                "scale dataset: {} campaigns, {} campaign-days, {} member_interactions rows; \
                 rows {:.0} s, indexes {:.0} s, rollups {:.0} s",
                report.campaigns,
                report.campaign_days,
                report.interactions,
                report.load_seconds,
                report.index_seconds,
                report.rollup_seconds
            );
        }
        Command::Demo { out, size } => {
            if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("while creating {}", parent.display()))?;
            }
            let summary = outreach_warehouse::demo::build(&out, &size.options()).await?;
            println!(
                "demo database {}: {} campaigns, {} events aggregated into {} campaign-days and {} segment rows",
                out.display(),
                summary.campaigns,
                summary.events,
                summary.campaign_days,
                summary.interactions
            );
            print!("{}", outreach_warehouse::demo::describe(&out).await?);
        }
    }
    Ok(())
}

async fn access(conn: &mut sqlx::PgConnection, action: Access) -> anyhow::Result<()> {
    use outreach_etl::access;
    match action {
        Access::Configure {
            issuer,
            client_ids,
            groups_claim,
            leeway_seconds,
        } => {
            access::configure(conn, &issuer, &client_ids, &groups_claim, leeway_seconds).await?;
            println!(
                "trusting {issuer} for {}; groups from the {groups_claim:?} claim",
                client_ids.join(", ")
            );
        }
        Access::Keys { jwks } => {
            let text = if jwks.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin())
                    .context("while reading the keys from standard input")?
            } else {
                std::fs::read_to_string(&jwks)
                    .with_context(|| format!("while reading the keys from {}", jwks.display()))?
            };
            let kept = access::set_keys(conn, &text).await?;
            println!("{kept} signing key(s) kept");
        }
        Access::Grant {
            group,
            role,
            campaign_types,
            channels,
        } => {
            access::grant(conn, &group, role, &campaign_types, &channels).await?;
            println!("{group}: {role}{}", scope_words(&campaign_types, &channels));
        }
        Access::AuditReads { login } => {
            access::audit_reads(conn, &login).await?;
            println!("pgaudit records every read of {login} in the server's log");
        }
        Access::Revoke { group } => {
            if access::revoke(conn, &group).await? {
                println!("{group}: access removed");
            } else {
                anyhow::bail!(
                    "no grant of the group {group:?}: `outreach-etl access list` shows the grants"
                );
            }
        }
        Access::List => {
            for grant in access::grants(conn).await? {
                println!(
                    "{}: {}{} (granted by {})",
                    grant.group,
                    grant.role,
                    scope_words(
                        grant.campaign_types.as_deref().unwrap_or_default(),
                        grant.channels.as_deref().unwrap_or_default()
                    ),
                    grant.granted_by
                );
            }
        }
    }
    Ok(())
}

/// " over Wellness campaigns on SMS", or " over every campaign".
fn scope_words(campaign_types: &[String], channels: &[outreach_model::Channel]) -> String {
    let types = if campaign_types.is_empty() {
        "every campaign".to_owned()
    } else {
        format!("{} campaigns", campaign_types.join(", "))
    };
    let channels = if channels.is_empty() {
        String::new()
    } else {
        let names: Vec<&str> = channels.iter().map(|c| c.as_str()).collect();
        format!(" on {}", names.join(", "))
    };
    format!(" over {types}{channels}")
}
