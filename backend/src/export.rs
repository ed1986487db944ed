//! Exports written to people's folders (often shared drives): CSV streamed row by row through
//! the `csv` crate (RFC 4180 quoting, UTF-8 with an optional byte-order mark for Excel on
//! Windows), text cells neutralised against spreadsheet formula injection, and every file
//! written atomically: a temporary file in the same folder, flushed to disk, then renamed into
//! place, so a failed export never leaves half a report where the person expects one.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Why an export could not be written; the message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The folder cannot be written (missing, read-only, no permission).
    #[error(
        "cannot write in {folder}: {source}. Choose a folder you can write to, or ask for access to this one"
    )]
    Folder {
        /// The folder of the file asked for.
        folder: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// Writing failed part way (a full disk, a dropped network share); nothing was left behind.
    #[error(
        "could not finish writing {file}: {source}. Nothing was saved there; free some space or choose another folder"
    )]
    Write {
        /// The file asked for.
        file: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
}

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
}

/// A CSV export streamed into `W`: a header, then rows, each written as it comes (memory stays
/// flat however many rows).
#[derive(Debug)]
pub struct CsvWriter<W: Write> {
    csv: csv::Writer<W>,
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
                .from_writer(out),
        })
    }

    /// Writes the header row: the metric names of docs/metrics.md.
    pub fn header(&mut self, names: &[&str]) -> std::io::Result<()> {
        self.csv.write_record(names).map_err(into_io)
    }

    /// Writes one row.
    pub fn row(&mut self, cells: &[Cell<'_>]) -> std::io::Result<()> {
        for cell in cells {
            let written = match cell {
                Cell::Text(text) => self.csv.write_field(neutralise(text).as_ref()),
                Cell::Count(n) => self.csv.write_field(n.to_string()),
                // `{}` of an f64 is the shortest text that reads back as the same number.
                Cell::Rate(Some(rate)) => self.csv.write_field(rate.to_string()),
                Cell::Rate(None) => self.csv.write_field(""),
                Cell::Day(day) => self.csv.write_field(day.to_string()),
            };
            written.map_err(into_io)?;
        }
        self.csv.write_record(None::<&[u8]>).map_err(into_io)
    }

    /// Flushes what is buffered and gives the output back.
    pub fn finish(self) -> std::io::Result<W> {
        self.csv.into_inner().map_err(|err| err.into_error())
    }
}

fn into_io(err: csv::Error) -> std::io::Error {
    match err.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

/// Writes the file `path` with `write`, atomically: into a temporary file in the same folder,
/// flushed and synced, then renamed over `path`. When `write` fails, or the disk fills, the
/// temporary file is removed and `path` is left as it was.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<&File>) -> std::io::Result<()>,
) -> Result<(), ExportError> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let temporary = tempfile::Builder::new()
        .prefix(".outreach-export-")
        .tempfile_in(&folder)
        .map_err(|source| ExportError::Folder {
            folder: folder.clone(),
            source,
        })?;
    let failed = |source| ExportError::Write {
        file: path.to_path_buf(),
        source,
    };
    {
        let mut out = BufWriter::new(temporary.as_file());
        write(&mut out).map_err(failed)?;
        out.flush().map_err(failed)?;
    }
    temporary.as_file().sync_all().map_err(failed)?;
    temporary.persist(path).map_err(|err| failed(err.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
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
