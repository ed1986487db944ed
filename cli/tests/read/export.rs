//! Exports read back with real readers: Python's csv module for CSV; poppler's pdftotext,
//! pdfinfo, pdffonts and pdftoppm for PDF. The files are written by `outreach export` (its real
//! binary) against PostgreSQL loaded by the ETL, and compared with the backend's answers to the
//! same questions; the failure cases leave no partial file and say what to do.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use outreach_backend::Dashboard;
use outreach_backend::export::{self, ReportContext};
use outreach_model::format;
use outreach_model::{
    CampaignRow, CampaignSort, DateRange, ExportFormat, ExportRequest, Filter, Interval, Metric,
    Page, PaperSize, ReportView,
};
use time::macros::{date, datetime};

use crate::helpers::{outreach, stores};

/// Names a campaign manager may type, each a trap for a careless CSV or PDF writer.
const AWKWARD_NAMES: [&str; 8] = [
    "Flu shots, \"annual\" reminder",
    "Line one\nline two",
    "Прививка от гриппа 2026",
    "流感疫苗接种提醒",
    "독감 예방접종 안내",
    "Nhắc nhở tiêm phòng cúm",
    "=HYPERLINK(\"http://evil.example\")",
    "-5 days to renew",
];

const RANGE: [&str; 4] = ["--start", "2026-09-01", "--end", "2026-11-27"];

fn range() -> DateRange {
    DateRange::new(date!(2026 - 09 - 01), date!(2026 - 11 - 27)).expect("a range")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs a reader (pdftotext, python3, …) and gives its standard output.
fn read_with(program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|err| panic!("{program} runs: {err}"));
    assert!(
        output.status.success(),
        "{program} {args:?}: {}",
        stderr(&output)
    );
    String::from_utf8(output.stdout).expect("UTF-8 from the reader")
}

/// Python's csv module's rows of `path` (a byte-order mark, when there is one, is not a cell).
fn python_rows(path: &Path) -> Vec<Vec<String>> {
    let script = "import csv, json, sys\n\
                  with open(sys.argv[1], newline='', encoding='utf-8-sig') as f:\n\
                  \x20   print(json.dumps(list(csv.reader(f))))";
    let path = path.to_str().expect("a UTF-8 path");
    serde_json::from_str(&read_with("python3", &["-c", script, path])).expect("rows as JSON")
}

/// The text of `pdf` (page `page` only when given), in its layout.
fn pdf_text(pdf: &Path, page: Option<usize>) -> String {
    let pdf = pdf.to_str().expect("a UTF-8 path");
    let mut args = vec!["-layout".to_owned()];
    if let Some(page) = page {
        args.extend([
            "-f".to_owned(),
            page.to_string(),
            "-l".to_owned(),
            page.to_string(),
        ]);
    }
    args.extend([pdf.to_owned(), "-".to_owned()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    read_with("pdftotext", &args)
}

/// pdfinfo's field `key`, e.g. "Pages".
fn pdf_info(pdf: &Path, key: &str) -> String {
    read_with("pdfinfo", &[pdf.to_str().expect("a UTF-8 path")])
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{key}:")))
        .map(|value| value.trim().to_owned())
        .unwrap_or_else(|| panic!("pdfinfo has no {key}"))
}

fn pages(pdf: &Path) -> usize {
    pdf_info(pdf, "Pages").parse().expect("a page count")
}

/// The lines of pdftotext's `text` where a table row naming `name` starts: the whole name on
/// it, or its first words on it and the rest on the next line (a long name wraps in its cell).
fn rows_naming<'t>(text: &'t str, name: &str) -> Vec<&'t str> {
    let words: Vec<&str> = name.split_whitespace().collect();
    let lines: Vec<&str> = text.lines().collect();
    let starts_row = |i: usize, line: &str| {
        (1..=words.len()).rev().any(|k| {
            let rest = words[k..].join(" ");
            let next = lines.get(i + 1).copied().unwrap_or("");
            line.contains(&words[..k].join(" ")) && (rest.is_empty() || next.contains(&rest))
        })
    };
    lines
        .iter()
        .enumerate()
        .filter(|(i, line)| starts_row(*i, line))
        .map(|(_, line)| *line)
        .collect()
}

/// Gives the rows their awkward names, in the dashboard database itself.
async fn rename(url: &str, campaigns: &[CampaignRow]) {
    use sqlx::Connection as _;
    let mut db = sqlx::PgConnection::connect(url).await.expect("connect");
    for (row, name) in campaigns.iter().zip(AWKWARD_NAMES) {
        sqlx::query("UPDATE campaigns SET campaign_name = $1 WHERE campaign_id = $2")
            .bind(name)
            .bind(uuid::Uuid::from_u128(row.campaign_id.as_u128()))
            .execute(&mut db)
            .await
            .expect("rename a campaign");
    }
}

async fn all_campaigns(dashboard: &Dashboard, filter: &Filter) -> Vec<CampaignRow> {
    dashboard
        .campaigns(
            filter,
            None,
            CampaignSort::Name.into(),
            Page::new(1, Page::MAX_SIZE).expect("a page"),
        )
        .await
        .expect("campaigns")
        .campaigns
}

/// A text cell as the export must write it: a leading formula character neutralised by `'`.
fn as_exported(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// A CSV cell holds exactly `value`: a count's digits, a rate's full-precision decimal.
fn assert_cell(cell: &str, metric: Metric, value: Option<f64>, context: &str) {
    match value {
        None => assert_eq!(cell, "", "{context}: {metric} has no value"),
        Some(value) if metric.is_rate() => assert_eq!(
            cell.parse::<f64>().ok(),
            Some(value),
            "{context}: {metric} at full precision"
        ),
        Some(value) => assert_eq!(cell, format!("{value:.0}"), "{context}: {metric}"),
    }
}

/// PostgreSQL loaded by the ETL with the awkward names given, the dashboard on it, the filter
/// of the tests and a home for the command.
struct Renamed {
    _stores: crate::helpers::Stores,
    url: String,
    dashboard: Dashboard,
    filter: Filter,
    home: tempfile::TempDir,
}

async fn renamed() -> Renamed {
    let stores = stores().await;
    let url = stores.postgres.url().to_owned();
    let dashboard = Dashboard::connect(&url).await.expect("connect");
    let filter = Filter::new(range());
    rename(&url, &all_campaigns(&dashboard, &filter).await).await;
    Renamed {
        _stores: stores,
        url,
        dashboard,
        filter,
        home: tempfile::tempdir().expect("a home"),
    }
}

#[tokio::test]
async fn csv_exports_read_back_exactly_with_python() {
    let Renamed {
        _stores,
        url,
        dashboard,
        filter,
        home,
    } = renamed().await;
    let export = |view: &[&str], file: &str| -> PathBuf {
        let path = home.path().join(file);
        let output = outreach(home.path())
            .args(["--database", &url, "export", "csv", "--bom", "--out"])
            .arg(&path)
            .arg("--view")
            .args(view)
            .args(RANGE)
            .args(["--metric", "opt_out_rate", "--interval", "week"])
            .output()
            .expect("run outreach");
        assert!(output.status.success(), "{view:?}: {}", stderr(&output));
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("rows"),
            "it says what it wrote"
        );
        assert!(
            std::fs::read(&path)
                .expect("written")
                .starts_with("\u{feff}".as_bytes()),
            "--bom writes a byte-order mark"
        );
        path
    };

    // The campaign list: every campaign, every metric, the awkward names exactly.
    let campaigns = all_campaigns(&dashboard, &filter).await;
    let rows = python_rows(&export(&["campaigns"], "campaigns.csv"));
    let header = &rows[0];
    let mut expected_header = vec![
        "campaign_id",
        "campaign_name",
        "campaign_type",
        "channel",
        "status",
        "start_date",
        "end_date",
    ];
    expected_header.extend(Metric::ALL.iter().map(|m| m.as_str()));
    assert_eq!(header, &expected_header);
    assert_eq!(rows.len() - 1, campaigns.len(), "every campaign, no more");
    for (row, campaign) in rows[1..].iter().zip(&campaigns) {
        assert_eq!(row[0], campaign.campaign_id.to_string());
        assert_eq!(row[1], as_exported(&campaign.campaign_name));
        assert_eq!(row[3], campaign.channel.as_str());
        assert_eq!(row[5], campaign.start_date.to_string(), "ISO dates");
        for (i, metric) in Metric::ALL.iter().enumerate() {
            assert_cell(&row[7 + i], *metric, campaign.metrics.get(*metric), &row[1]);
        }
    }
    let names: Vec<&str> = rows[1..].iter().map(|r| r[1].as_str()).collect();
    for name in AWKWARD_NAMES {
        assert!(
            names.contains(&as_exported(name).as_str()),
            "{name:?} read back from {names:?}"
        );
    }

    // The overview's trend series: a row per period and channel, the metric named.
    let trend = dashboard
        .trend(&filter, Metric::OptOutRate, Interval::Week)
        .await
        .expect("trend");
    let rows = python_rows(&export(&["overview"], "overview.csv"));
    assert_eq!(
        rows[0],
        ["period_start", "period_end", "channel", "opt_out_rate"]
    );
    let periods = trend.series[0].points.len();
    assert_eq!(rows.len() - 1, periods * trend.series.len());
    for (i, row) in rows[1..].iter().enumerate() {
        let (period, series) = (
            i / trend.series.len(),
            &trend.series[i % trend.series.len()],
        );
        assert_eq!(row[0], series.points[period].start.to_string());
        assert_eq!(row[2], series.name.as_str());
        assert_cell(
            &row[3],
            Metric::OptOutRate,
            series.points[period].value,
            &row[0],
        );
    }

    // One campaign's metrics over time.
    let campaign = &campaigns[0];
    let id = campaign.campaign_id.to_string();
    let answer = dashboard
        .campaign_metrics(campaign.campaign_id, range(), Interval::Week)
        .await
        .expect("campaign metrics");
    let rows = python_rows(&export(&["campaign", &id], "campaign.csv"));
    assert_eq!(
        rows[0][..4],
        ["campaign_id", "campaign_name", "period_start", "period_end"]
    );
    assert_eq!(rows.len() - 1, answer.periods.len());
    for (row, period) in rows[1..].iter().zip(&answer.periods) {
        assert_eq!(row[1], as_exported(&answer.campaign_name));
        assert_eq!(
            (row[2].as_str(), row[3].as_str()),
            (&*period.start.to_string(), &*period.end.to_string())
        );
        for (i, metric) in Metric::ALL.iter().enumerate() {
            assert_cell(&row[4 + i], *metric, period.metrics.get(*metric), &row[2]);
        }
    }

    // The segment drill-down: the screen's cells, and never a count from 1 to 10.
    let segments = dashboard.segments(&filter).await.expect("segments");
    let rows = python_rows(&export(&["segments"], "segments.csv"));
    assert_eq!(
        rows.len() - 1,
        segments.segments.len() + segments.dimensions.len()
    );
    let suppressed = rows[1..]
        .iter()
        .flat_map(|row| row[6..12].iter())
        .filter(|cell| *cell == "<11")
        .count();
    assert!(suppressed > 0, "this data has small segments to hide");
    for row in &rows[1..] {
        for cell in &row[6..12] {
            if let Ok(count) = cell.parse::<i64>() {
                assert!(
                    !(1..=10).contains(&count),
                    "a count of {count} in a segment cell: {row:?}"
                );
            } else {
                assert_eq!(cell, "<11", "{row:?}");
            }
        }
    }
    for (row, segment) in rows[1..].iter().zip(&segments.segments) {
        assert_eq!(row[1], segment.member_segment);
        let cells: Vec<String> = segment
            .metrics
            .counts()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(row[6..12], cells[..]);
    }
}

#[tokio::test]
async fn pdf_reports_print_the_backends_numbers_and_read_back_with_poppler() {
    let Renamed {
        _stores,
        url,
        dashboard,
        filter,
        home,
    } = renamed().await;
    let export = |args: &[&str], file: &str| -> PathBuf {
        let path = home.path().join(file);
        let output = outreach(home.path())
            .env("USER", "report.tester")
            .args(["--database", &url, "export", "pdf", "--out"])
            .arg(&path)
            .args(args)
            .args(RANGE)
            .output()
            .expect("run outreach");
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        path
    };

    // The overview on A4: the header, the KPIs as the screen shows them, every campaign.
    let pdf = export(&["--view", "overview", "--paper", "a4"], "overview.pdf");
    assert!(pdf_info(&pdf, "Page size").contains("(A4)"));
    let text = pdf_text(&pdf, None);
    let pages_in_file = pages(&pdf);
    for page in 1..=pages_in_file {
        let page_text = pdf_text(&pdf, Some(page));
        assert!(
            page_text.contains("Outreach overview"),
            "a title on page {page}"
        );
        assert!(
            page_text.contains(&format!("Page {page} of {pages_in_file}")),
            "the footer of page {page}"
        );
        assert!(
            page_text.contains("1 Sep 2026 to 27 Nov 2026 (88 days)"),
            "the filter in words"
        );
        assert!(page_text.contains("Reporting time zone UTC"));
        assert!(page_text.contains("generated by report.tester"));
    }
    let summary = dashboard.summary(&filter).await.expect("summary");
    for metric in Metric::ALL {
        let line = text
            .lines()
            .find(|line| {
                line.trim_start()
                    .strip_prefix(metric.label())
                    .is_some_and(|rest| rest.starts_with("  "))
            })
            .unwrap_or_else(|| panic!("a KPI row for {metric}"));
        for value in [summary.current.get(*metric), summary.previous.get(*metric)] {
            let shown = format::metric(*metric, value);
            assert!(line.contains(&shown), "{metric}: {shown} in {line:?}");
        }
    }
    let campaigns = all_campaigns(&dashboard, &filter).await;
    for campaign in &campaigns {
        // Names repeat (a campaign re-run each quarter): one of the rows has its figures.
        let m = &campaign.metrics;
        let figures = [
            format::count(m.reach),
            format::count(m.impressions),
            format::rate(m.engagement_rate),
            format::rate(m.conversion_rate),
            format::rate(m.opt_out_rate),
        ];
        let rows = rows_naming(&text, &campaign.campaign_name);
        assert!(
            rows.iter()
                .any(|row| figures.iter().all(|f| row.contains(f.as_str()))),
            "{:?} with {figures:?} in the campaign table: {rows:?}",
            campaign.campaign_name
        );
    }
    assert!(text.contains("Appendix: metric definitions"));
    assert!(
        text.contains(
            Metric::OptOutRate
                .definition()
                .split(' ')
                .take(4)
                .collect::<Vec<_>>()
                .join(" ")
                .as_str()
        )
    );
    let fonts = read_with("pdffonts", &[pdf.to_str().expect("a path")]);
    for font in [
        "NotoSans-Regular",
        "NotoSans-Bold",
        "DroidSansFallbackFull",
        "NanumGothic",
    ] {
        let line = fonts
            .lines()
            .find(|line| line.contains(font))
            .unwrap_or_else(|| panic!("{font} in {fonts}"));
        let columns: Vec<&str> = line.split_whitespace().collect();
        // name, type (two words), encoding, emb, sub, uni, …
        assert_eq!(columns[4], "yes", "{font} embedded: {line}");
        assert_eq!(columns[6], "yes", "{font} maps to Unicode: {line}");
    }

    // The segments report on US Letter: the screen's cells for every segment and dimension
    // value, never a count from 1 to 10, the table's header on each page it spans, and as many
    // pages as its rows need.
    let pdf = export(&["--view", "segments", "--paper", "letter"], "segments.pdf");
    assert!(pdf_info(&pdf, "Page size").contains("(letter)"));
    let segments = dashboard.segments(&filter).await.expect("segments");
    let shown = |metrics: &outreach_model::SegmentMetrics| -> Vec<String> {
        metrics
            .counts()
            .into_iter()
            .map(format::segment_count)
            .chain(
                [
                    metrics.engagement_rate,
                    metrics.conversion_rate,
                    metrics.opt_out_rate,
                ]
                .map(format::rate),
            )
            .collect()
    };
    let mut expected: Vec<Vec<String>> = segments
        .segments
        .iter()
        .map(|s| shown(&s.metrics))
        .chain(segments.dimensions.iter().map(|d| shown(&d.metrics)))
        .collect();
    // A row's figures: its last nine cells (names may wrap, figures never do).
    let figures = |line: &str| -> Option<Vec<String>> {
        let cells: Vec<&str> = line.split_whitespace().collect();
        let last = cells.get(cells.len().checked_sub(9)?..)?;
        last.iter()
            .all(|c| {
                *c == "<11"
                    || *c == "n/a"
                    || c.trim_end_matches('%')
                        .replace([',', '.'], "")
                        .parse::<u64>()
                        .is_ok()
            })
            .then(|| last.iter().map(|c| (*c).to_owned()).collect())
    };
    let total_pages = pages(&pdf);
    let mut printed = Vec::new();
    // Rows of the every-segment table on each page (the dimension table comes first).
    let mut table_rows = Vec::new();
    let mut in_table = false;
    for page in 1..=total_pages {
        let page_text = pdf_text(&pdf, Some(page));
        let mut rows = 0;
        for line in page_text.lines() {
            if line.contains("Every member segment") {
                in_table = true;
                let header = page_text.lines().any(|l| {
                    l.split_whitespace().collect::<Vec<_>>().join(" ").starts_with(
                        "Age Plan Risk Region Impressions Opens Clicks Engaged Conversions Opt-outs",
                    )
                });
                assert!(header, "the table's header on page {page}");
            }
            if line.contains("Appendix") {
                in_table = false;
            }
            if let Some(cells) = figures(line) {
                for count in &cells[..6] {
                    if let Ok(n) = count.replace(',', "").parse::<i64>() {
                        assert!(
                            !(1..=10).contains(&n),
                            "a count of {n} on page {page}: {line}"
                        );
                    }
                }
                printed.push(cells);
                rows += usize::from(in_table);
            }
        }
        table_rows.push(rows);
    }
    printed.sort();
    expected.sort();
    assert_eq!(
        printed, expected,
        "every segment and dimension value, as on screen"
    );
    assert!(
        printed.iter().flatten().any(|c| c == "<11"),
        "this data has small segments to hide"
    );
    let spans: Vec<usize> = table_rows.iter().copied().filter(|r| *r > 0).collect();
    let (first, full) = (spans[0], spans[1]);
    assert_eq!(
        spans.len(),
        1 + (segments.segments.len() - first).div_ceil(full),
        "pages for {} rows: {first} on the first, {full} on each after: {table_rows:?}",
        segments.segments.len()
    );
    for rows in &spans[1..spans.len() - 1] {
        assert_eq!(*rows, full, "full pages between: {table_rows:?}");
    }
    assert!(
        pdf_text(&pdf, Some(total_pages)).contains("Appendix")
            || pdf_text(&pdf, Some(total_pages - 1)).contains("Appendix"),
        "the appendix follows the table"
    );
}

/// Page one of the overview as pdftoppm renders it, against the committed snapshot (from the
/// SQLite store built from the same options, whose data and load time are fixed). Set
/// UPDATE_SNAPSHOTS=1 to write a new one after a deliberate change, and look at it.
#[tokio::test]
async fn page_one_renders_as_its_snapshot() {
    let stores = stores().await;
    let dashboard = Dashboard::connect(stores.sqlite.to_str().expect("a path"))
        .await
        .expect("open the SQLite store");
    let dir = tempfile::tempdir().expect("a folder");
    let pdf = dir.path().join("overview.pdf");
    let request = ExportRequest {
        format: ExportFormat::Pdf,
        view: ReportView::Overview {
            metric: Metric::EngagementRate,
            interval: Interval::Week,
            ranked_by: Metric::EngagementRate,
        },
        filter: Filter::new(range()),
        paper: PaperSize::A4,
        byte_order_mark: false,
    };
    let context = ReportContext {
        generated_by: "snapshot".to_owned(),
        generated_at: datetime!(2026-11-28 09:30 UTC),
        min_volume: outreach_backend::DEFAULT_MIN_VOLUME,
    };
    export::export(&dashboard, &request, &pdf, &context)
        .await
        .expect("exported");
    let prefix = dir.path().join("page");
    read_with(
        "pdftoppm",
        &[
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            "-png",
            "-singlefile",
            pdf.to_str().expect("a path"),
            prefix.to_str().expect("a path"),
        ],
    );
    let rendered = dir.path().join("page.png");
    let snapshot =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/read/snapshots/overview-page-1.png");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() || !snapshot.exists() {
        std::fs::copy(&rendered, &snapshot).expect("write the snapshot");
        assert!(
            std::env::var_os("UPDATE_SNAPSHOTS").is_some(),
            "no snapshot was committed: wrote {}; look at it and commit it",
            snapshot.display()
        );
    }
    // ImageMagick counts the pixels that differ by more than 10% (anti-aliasing may vary).
    let output = Command::new("compare")
        .args(["-metric", "AE", "-fuzz", "10%"])
        .arg(&rendered)
        .arg(&snapshot)
        .arg("null:")
        .output()
        .expect("ImageMagick's compare runs");
    let differing: f64 = String::from_utf8_lossy(&output.stderr)
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("compare's count: {}", stderr(&output)));
    if differing >= 50.0 {
        // The rendered page is kept for a look.
        let kept = dir.keep();
        panic!(
            "page one differs from its snapshot in {differing} pixels: see {}",
            kept.join("page.png").display()
        );
    }
}

#[tokio::test]
async fn failed_exports_leave_no_file_and_say_what_to_do() {
    let stores = stores().await;
    let url = stores.postgres.url().to_owned();
    let home = tempfile::tempdir().expect("a home");
    let folder = home.path().join("reports");
    std::fs::create_dir(&folder).expect("a folder");
    let old = folder.join("report.pdf");
    std::fs::write(&old, b"yesterday's report").expect("an old report");
    let listing = || {
        let mut names: Vec<String> = std::fs::read_dir(&folder)
            .expect("listed")
            .map(|e| {
                e.expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    };
    // Bad input exits 1, a command line clap refuses (usage) 2.
    let refused = |output: &Output, code: i32, says: &[&str]| {
        let err = stderr(output);
        assert_eq!(output.status.code(), Some(code), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(
            err.lines().filter(|l| l.starts_with("error:")).count(),
            1,
            "{err}"
        );
        for words in says {
            assert!(err.contains(words), "{words:?} in {err}");
        }
        assert_eq!(listing(), ["report.pdf"], "nothing left behind");
        assert_eq!(
            std::fs::read(&old).expect("the old report"),
            b"yesterday's report",
            "the old report is untouched"
        );
    };

    // A full disk, simulated by a file size limit: the write fails part way.
    let limited = Command::new("sh")
        .args([
            "-c",
            // SIGXFSZ ignored: the write returns EFBIG as a full disk returns ENOSPC.
            "ulimit -f 4; trap '' XFSZ; exec \"$0\" \"$@\"",
            env!("CARGO_BIN_EXE_outreach"),
            "--database",
            &url,
            "export",
            "pdf",
            "--out",
        ])
        .arg(&old)
        .args(RANGE)
        .env("HOME", home.path())
        .output()
        .expect("run outreach under a file size limit");
    refused(
        &limited,
        1,
        &[
            "could not finish writing",
            "Nothing was saved there",
            "free some space",
        ],
    );

    // A folder the user may not write in. Root may write anywhere, so as root the command
    // runs as `nobody` (a copy of the binary nobody can run, in folders nobody can reach).
    {
        use std::os::unix::fs::PermissionsExt as _;
        let open_to_all = |path: &Path, mode| {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
                .expect("permissions set");
        };
        let shared = tempfile::tempdir().expect("a folder");
        open_to_all(shared.path(), 0o755);
        let locked = shared.path().join("locked");
        std::fs::create_dir(&locked).expect("a folder");
        open_to_all(&locked, 0o555);
        let binary = shared.path().join("outreach");
        std::fs::copy(env!("CARGO_BIN_EXE_outreach"), &binary).expect("the binary copied");
        open_to_all(&binary, 0o755);
        let nobody_home = shared.path().join("home");
        std::fs::create_dir(&nobody_home).expect("a home");
        open_to_all(&nobody_home, 0o777);
        let is_root = read_with("id", &["-u"]).trim() == "0";
        let mut command = if is_root {
            let mut runuser = Command::new("runuser");
            runuser.args(["-u", "nobody", "--"]).arg(&binary);
            runuser
        } else {
            Command::new(&binary)
        };
        let output = command
            .env("HOME", &nobody_home)
            .args(["--database", &url, "export", "csv", "--out"])
            .arg(locked.join("report.csv"))
            .args(RANGE)
            .output()
            .expect("run outreach");
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "a failure exits 1: {err}");
        for words in [
            "cannot write in",
            "ermission denied",
            "Choose a folder you can write to",
        ] {
            assert!(err.contains(words), "{words:?} in {err}");
        }
        assert_eq!(
            std::fs::read_dir(&locked).expect("listed").count(),
            0,
            "nothing left in the locked folder"
        );
    }

    // A folder that cannot hold files (a file stands where it should be), and a missing one.
    for out in [
        old.join("report.csv"),
        folder.join("missing").join("report.csv"),
    ] {
        let output = outreach(home.path())
            .args(["--database", &url, "export", "csv", "--out"])
            .arg(&out)
            .output()
            .expect("run outreach");
        refused(
            &output,
            1,
            &["cannot write in", "Choose a folder you can write to"],
        );
    }

    // A folder given as the file.
    let output = outreach(home.path())
        .args(["--database", &url, "export", "csv", "--out"])
        .arg(&folder)
        .output()
        .expect("run outreach");
    refused(&output, 1, &["is a folder", "give the export a file name"]);

    // A campaign that does not exist: nothing is written, not even an empty file.
    let output = outreach(home.path())
        .args(["--database", &url, "export", "pdf", "--view", "campaign"])
        .arg(uuid::Uuid::from_u128(42).to_string())
        .arg("--out")
        .arg(folder.join("campaign.pdf"))
        .output()
        .expect("run outreach");
    refused(&output, 1, &["there is no campaign", "Nothing was saved"]);

    // Views and formats that do not exist.
    for (args, code, says) in [
        (vec!["export", "xls"], 2, "invalid value 'xls'"),
        (
            vec!["export", "csv", "--view", "campaign"],
            1,
            "needs the campaign's id",
        ),
        (
            vec!["export", "csv", "--view", "funnel"],
            1,
            "unknown view \"funnel\"",
        ),
        (
            vec!["export", "pdf", "--paper", "legal"],
            2,
            "unknown paper size",
        ),
    ] {
        let output = outreach(home.path())
            .args(["--database", &url])
            .args(&args)
            .arg("--out")
            .arg(folder.join("x.out"))
            .output()
            .expect("run outreach");
        refused(&output, code, &[says]);
    }
}
