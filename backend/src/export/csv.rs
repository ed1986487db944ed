//! CSV exports: each table the app shows, every row of the filter, streamed through the `csv`
//! crate (RFC 4180 quoting, CRLF, UTF-8 with an optional byte-order mark for Excel on Windows),
//! with the metric names of docs/metrics.md as the header, counts as integers, rates as decimals
//! at full precision, ISO days, and text cells neutralised against spreadsheet formula
//! injection. `outreach … --format csv` writes its answers through the same functions.

use std::io::Write;

use outreach_model::{
    CampaignId, CampaignMetrics, CampaignOrder, CampaignPage, CampaignRow, DateRange,
    ExportRequest, Metric, Metrics, Page, Ranking, ReportView, SegmentCount, SegmentMetrics,
    SegmentReport, SegmentValue, Summary, Trend,
};

use super::{AtomicFile, ExportError};
use crate::{Dashboard, DashboardError};

/// The spreadsheet formula characters a text cell must not begin with (OWASP's CSV injection
/// guidance): `=`, `+`, `-`, `@`, tab and carriage return.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell as exported: one beginning with a formula character gets a leading `'`, which
/// spreadsheets show as text and do not evaluate. Numbers are not text cells: a negative
/// number stays a number.
pub fn neutralise(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// One cell of an exported row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// Free text (a campaign's name, its type): neutralised.
    Text(&'a str),
    /// A count.
    Count(i64),
    /// A rate as a decimal at full precision (0.123456…), or empty when it has no value.
    Rate(Option<f64>),
    /// A day, ISO 8601.
    Day(time::Date),
    /// A segment's count: the number, or "<11" for a count from 1 to 10.
    Segment(SegmentCount),
    /// A campaign's id.
    Id(CampaignId),
}

/// A CSV export streamed into `W`: a header, then rows, each written as it comes (memory stays
/// flat however many rows).
#[derive(Debug)]
pub struct CsvWriter<W: Write> {
    csv: csv::Writer<W>,
    /// Where a number or a day is formatted before it is written (no allocation per cell).
    scratch: String,
}

impl<W: Write> CsvWriter<W> {
    /// A writer into `out`, starting with a UTF-8 byte-order mark when `byte_order_mark` (Excel
    /// on Windows reads UTF-8 only with one).
    pub fn new(mut out: W, byte_order_mark: bool) -> std::io::Result<Self> {
        if byte_order_mark {
            out.write_all("\u{feff}".as_bytes())?;
        }
        Ok(CsvWriter {
            csv: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .buffer_capacity(1 << 16)
                .from_writer(out),
            scratch: String::with_capacity(64),
        })
    }

    /// Writes the header row: the metric names of docs/metrics.md.
    pub fn header(&mut self, names: &[&str]) -> std::io::Result<()> {
        self.csv.write_record(names).map_err(into_io)
    }

    /// Writes one row.
    pub fn row(&mut self, cells: &[Cell<'_>]) -> std::io::Result<()> {
        for cell in cells {
            self.cell(*cell)?;
        }
        self.end_row()
    }

    /// Writes one cell of the current row.
    pub fn cell(&mut self, cell: Cell<'_>) -> std::io::Result<()> {
        use std::fmt::Write as _;
        self.scratch.clear();
        let written = match cell {
            Cell::Text(text) => self.csv.write_field(neutralise(text).as_ref()),
            Cell::Count(n) => self.csv.write_field(itoa::Buffer::new().format(n)),
            Cell::Segment(SegmentCount::Exact(n)) => {
                self.csv.write_field(itoa::Buffer::new().format(n))
            }
            Cell::Segment(SegmentCount::Suppressed) => self.csv.write_field("<11"),
            Cell::Rate(None) => self.csv.write_field(""),
            // The shortest text that reads back as the same number (Ryū), e.g. 0.1234 or 4e-6.
            Cell::Rate(Some(rate)) => self.csv.write_field(ryu::Buffer::new().format(rate)),
            Cell::Day(day) => {
                let _ = write!(
                    self.scratch,
                    "{:04}-{:02}-{:02}",
                    day.year(),
                    u8::from(day.month()),
                    day.day()
                );
                self.csv.write_field(&self.scratch)
            }
            Cell::Id(id) => {
                let _ = write!(self.scratch, "{id}");
                self.csv.write_field(&self.scratch)
            }
        };
        written.map_err(into_io)
    }

    /// Ends the current row.
    pub fn end_row(&mut self) -> std::io::Result<()> {
        self.csv.write_record(None::<&[u8]>).map_err(into_io)
    }

    /// Flushes what is buffered and gives the output back.
    pub fn finish(self) -> std::io::Result<W> {
        self.csv.into_inner().map_err(|err| err.into_error())
    }
}

/// A metric's value as a cell: a count as an integer, a rate at full precision (empty when it
/// has none).
fn value_cell(metric: Metric, value: Option<f64>) -> Cell<'static> {
    match metric.is_rate() {
        true => Cell::Rate(value),
        // Counts are whole numbers; `Metrics::get` and trends give them as floats.
        false => Cell::Count(value.unwrap_or(0.0).round() as i64),
    }
}

fn metric_cell(metric: Metric, metrics: &Metrics) -> Cell<'static> {
    value_cell(metric, metrics.get(metric))
}

fn metric_names() -> impl Iterator<Item = &'static str> {
    Metric::ALL.iter().map(|m| m.as_str())
}

/// The columns of the campaign list.
pub fn campaigns_header<W: Write>(csv: &mut CsvWriter<W>) -> std::io::Result<()> {
    let columns: Vec<&str> = [
        "campaign_id",
        "campaign_name",
        "campaign_type",
        "channel",
        "status",
        "start_date",
        "end_date",
    ]
    .into_iter()
    .chain(metric_names())
    .collect();
    csv.header(&columns)
}

/// One campaign of the list.
pub fn campaign_row<W: Write>(csv: &mut CsvWriter<W>, row: &CampaignRow) -> std::io::Result<()> {
    for cell in [
        Cell::Id(row.campaign_id),
        Cell::Text(&row.campaign_name),
        Cell::Text(&row.campaign_type),
        Cell::Text(row.channel.as_str()),
        Cell::Text(row.status.as_str()),
        Cell::Day(row.start_date),
        row.end_date.map_or(Cell::Text(""), Cell::Day),
    ] {
        csv.cell(cell)?;
    }
    for metric in Metric::ALL {
        csv.cell(metric_cell(*metric, &row.metrics))?;
    }
    csv.end_row()
}

/// A page of the campaign list (`outreach campaigns --format csv`).
pub fn campaign_page<W: Write>(csv: &mut CsvWriter<W>, page: &CampaignPage) -> std::io::Result<()> {
    campaigns_header(csv)?;
    page.campaigns
        .iter()
        .try_for_each(|row| campaign_row(csv, row))
}

/// A campaign's metrics per period.
pub fn campaign_metrics<W: Write>(
    csv: &mut CsvWriter<W>,
    answer: &CampaignMetrics,
) -> std::io::Result<u64> {
    let columns: Vec<&str> = ["campaign_id", "campaign_name", "period_start", "period_end"]
        .into_iter()
        .chain(metric_names())
        .collect();
    csv.header(&columns)?;
    for period in &answer.periods {
        let mut cells = vec![
            Cell::Id(answer.campaign_id),
            Cell::Text(&answer.campaign_name),
            Cell::Day(period.start),
            Cell::Day(period.end),
        ];
        cells.extend(Metric::ALL.iter().map(|m| metric_cell(*m, &period.metrics)));
        csv.row(&cells)?;
    }
    Ok(answer.periods.len() as u64)
}

/// The best and worst campaigns by a rate (`outreach ranking --format csv`): one row per
/// campaign, the best list first, each with its place in its list.
pub fn ranking<W: Write>(csv: &mut CsvWriter<W>, answer: &Ranking) -> std::io::Result<u64> {
    csv.header(&[
        "list",
        "rank",
        "campaign_id",
        "campaign_name",
        "channel",
        answer.metric.as_str(),
        "volume",
    ])?;
    let mut rows = 0;
    for (list, campaigns) in [("best", &answer.best), ("worst", &answer.worst)] {
        for (i, c) in campaigns.iter().enumerate() {
            csv.row(&[
                Cell::Text(list),
                Cell::Count(i as i64 + 1),
                Cell::Id(c.campaign_id),
                Cell::Text(&c.campaign_name),
                Cell::Text(c.channel.as_str()),
                Cell::Rate(Some(c.value)),
                Cell::Count(c.volume),
            ])?;
            rows += 1;
        }
    }
    Ok(rows)
}

/// The filter's metrics against the previous period's (`outreach summary --format csv`).
pub fn summary<W: Write>(csv: &mut CsvWriter<W>, answer: &Summary) -> std::io::Result<()> {
    csv.header(&["metric", "current", "previous"])?;
    for metric in Metric::ALL {
        csv.row(&[
            Cell::Text(metric.as_str()),
            metric_cell(*metric, &answer.current),
            metric_cell(*metric, &answer.previous),
        ])?;
    }
    Ok(())
}

/// A trend: one row per period and series (each channel, then the total), the metric's value in
/// a column named after it.
pub fn trend<W: Write>(
    csv: &mut CsvWriter<W>,
    answer: &Trend,
    range: DateRange,
) -> std::io::Result<u64> {
    csv.header(&[
        "period_start",
        "period_end",
        "channel",
        answer.metric.as_str(),
    ])?;
    let periods = range.periods(answer.interval);
    let mut rows = 0;
    for (i, (start, end)) in periods.iter().enumerate() {
        for series in &answer.series {
            let cell = value_cell(answer.metric, series.points.get(i).and_then(|p| p.value));
            csv.row(&[
                Cell::Day(*start),
                Cell::Day(*end),
                Cell::Text(series.name.as_str()),
                cell,
            ])?;
            rows += 1;
        }
    }
    Ok(rows)
}

fn segment_cells(metrics: &SegmentMetrics) -> Vec<Cell<'static>> {
    SegmentMetrics::SHOWN
        .iter()
        .filter_map(|metric| metrics.value(*metric))
        .map(|value| match value {
            SegmentValue::Count(count) => Cell::Segment(count),
            SegmentValue::Rate(rate) => Cell::Rate(rate),
        })
        .collect()
}

/// The segment drill-down: every segment, then every dimension's values; counts from 1 to 10
/// are "<11" and a rate that would give one away is empty, as on screen.
pub fn segments<W: Write>(csv: &mut CsvWriter<W>, answer: &SegmentReport) -> std::io::Result<u64> {
    let columns: Vec<&str> = [
        "dimension",
        "value",
        "age_band",
        "plan_type",
        "risk_tier",
        "region",
    ]
    .into_iter()
    .chain(SegmentMetrics::SHOWN.iter().map(|m| m.as_str()))
    .collect();
    csv.header(&columns)?;
    for s in &answer.segments {
        let mut cells = vec![
            Cell::Text("segment"),
            Cell::Text(&s.member_segment),
            Cell::Text(&s.age_band),
            Cell::Text(&s.plan_type),
            Cell::Text(&s.risk_tier),
            Cell::Text(&s.region),
        ];
        cells.extend(segment_cells(&s.metrics));
        csv.row(&cells)?;
    }
    for d in &answer.dimensions {
        let mut cells = vec![
            Cell::Text(d.dimension.as_str()),
            Cell::Text(&d.value),
            Cell::Text(""),
            Cell::Text(""),
            Cell::Text(""),
            Cell::Text(""),
        ];
        cells.extend(segment_cells(&d.metrics));
        csv.row(&cells)?;
    }
    Ok((answer.segments.len() + answer.dimensions.len()) as u64)
}

/// Writes the table of `request`'s view into `file`, asking the dashboard what the screen asks;
/// gives the rows written. The campaign list is fetched and written a page at a time, so memory
/// stays flat however many campaigns there are.
pub async fn write_view(
    dashboard: &Dashboard,
    request: &ExportRequest,
    file: &mut AtomicFile,
) -> Result<u64, ExportError> {
    let written = write_view_into(dashboard, request, file.writer()).await?;
    written.map_err(|err| ExportError::from(file.failed(err)))
}

/// The view's table into `out`: a question that fails is the outer error, a write that fails
/// the inner one.
async fn write_view_into<W: Write>(
    dashboard: &Dashboard,
    request: &ExportRequest,
    out: W,
) -> Result<std::io::Result<u64>, DashboardError> {
    let filter = &request.filter;
    let mut csv = match CsvWriter::new(out, request.byte_order_mark) {
        Ok(csv) => csv,
        Err(err) => return Ok(Err(err)),
    };
    let written = match &request.view {
        ReportView::Overview {
            metric, interval, ..
        } => {
            let answer = dashboard.trend(filter, *metric, *interval).await?;
            trend(&mut csv, &answer, filter.range)
        }
        ReportView::Campaign {
            campaign_id,
            interval,
        } => {
            let answer = dashboard
                .campaign_metrics(*campaign_id, filter.range, *interval)
                .await?;
            campaign_metrics(&mut csv, &answer)
        }
        ReportView::Segments => {
            let answer = dashboard.segments(filter).await?;
            segments(&mut csv, &answer)
        }
        ReportView::Campaigns {
            search,
            sort,
            reversed,
        } => {
            let order = CampaignOrder {
                sort: *sort,
                reversed: *reversed,
            };
            if let Err(err) = campaigns_header(&mut csv) {
                return Ok(Err(err));
            }
            let mut rows = 0_u64;
            let mut number = 1;
            while let Ok(page) = Page::new(number, Page::MAX_SIZE) {
                let answer = dashboard
                    .campaigns(filter, search.as_deref(), order, page)
                    .await?;
                for row in &answer.campaigns {
                    if let Err(err) = campaign_row(&mut csv, row) {
                        return Ok(Err(err));
                    }
                }
                rows += answer.campaigns.len() as u64;
                if rows >= answer.total || answer.campaigns.is_empty() {
                    break;
                }
                number += 1;
            }
            Ok(rows)
        }
    };
    Ok(written.and_then(|rows| csv.finish().map(|_| rows)))
}

fn into_io(err: csv::Error) -> std::io::Error {
    match err.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::write_atomically;
    use time::macros::date;

    #[test]
    fn formula_cells_are_neutralised_and_plain_ones_kept() {
        for (text, shown) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1 (555) 010", "'+1 (555) 010"),
            ("-flu", "'-flu"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tindent", "'\tindent"),
            ("\rreturn", "'\rreturn"),
            ("Flu shot (Email, Q3 2026)", "Flu shot (Email, Q3 2026)"),
            ("", ""),
        ] {
            assert_eq!(neutralise(text), shown);
        }
    }

    /// Python's csv module reads back exactly the rows written: the real reader of the issue.
    #[test]
    fn python_reads_back_exactly_what_was_written() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("campaigns.csv");
        let names = [
            "Flu shot, \"annual\"",
            "Line\nbreak",
            "Прививка от гриппа 流感疫苗 💉",
            "=1+1",
            "-3 dose",
        ];
        write_atomically(&path, |out| {
            let mut csv = CsvWriter::new(out, true)?;
            csv.header(&[
                "campaign_name",
                "impressions",
                "engagement_rate",
                "start_date",
            ])?;
            for (i, name) in names.iter().enumerate() {
                let rate = (i > 0).then(|| 1.0 / (i as f64 + 2.0));
                csv.row(&[
                    Cell::Text(name),
                    Cell::Count(-(i as i64)),
                    Cell::Rate(rate),
                    Cell::Day(date!(2026 - 11 - 28)),
                ])?;
            }
            csv.finish().map(drop)
        })
        .expect("written");
        let script = "import csv, json, sys\n\
                      with open(sys.argv[1], newline='', encoding='utf-8-sig') as f:\n\
                      \x20   print(json.dumps(list(csv.reader(f))))";
        let output = std::process::Command::new("python3")
            .args(["-c", script])
            .arg(&path)
            .output()
            .expect("python3 runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let rows: Vec<Vec<String>> =
            serde_json::from_slice(&output.stdout).expect("python's rows as JSON");
        assert_eq!(
            rows[0],
            [
                "campaign_name",
                "impressions",
                "engagement_rate",
                "start_date"
            ]
        );
        assert_eq!(rows.len(), names.len() + 1, "every row, no more");
        for (i, (row, name)) in rows[1..].iter().zip(names).enumerate() {
            assert_eq!(row[0], neutralise(name).as_ref());
            assert_eq!(
                row[1],
                (-(i as i64)).to_string(),
                "numbers are not neutralised"
            );
            let rate = (i > 0).then(|| 1.0 / (i as f64 + 2.0));
            assert_eq!(row[2].parse::<f64>().ok(), rate, "rates at full precision");
            assert_eq!(row[3], "2026-11-28");
        }
        let bytes = std::fs::read(&path).expect("the file");
        assert!(
            bytes.starts_with("\u{feff}".as_bytes()),
            "a byte-order mark"
        );
    }

    #[test]
    fn a_failed_export_leaves_nothing_behind_and_the_old_file_intact() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("report.csv");
        std::fs::write(&path, "the report from yesterday").expect("an old report");
        let err = write_atomically(&path, |out| {
            out.write_all(b"half a report")?;
            Err(std::io::Error::other("the disk is full"))
        })
        .expect_err("the write fails");
        assert!(err.to_string().contains("Nothing was saved there"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&path).expect("the old report"),
            "the report from yesterday"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .expect("listed")
            .map(|e| e.expect("an entry").file_name())
            .collect();
        assert_eq!(left, ["report.csv"], "no temporary file is left");

        let missing = dir.path().join("no such folder").join("report.csv");
        let err = write_atomically(&missing, |_| Ok(())).expect_err("no folder");
        assert!(
            err.to_string().contains("Choose a folder you can write to"),
            "{err}"
        );
    }
}
