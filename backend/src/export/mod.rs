//! Exports written to people's folders (often shared drives): a view's table as CSV, streamed
//! row by row (`csv`), or a PDF report drawn as vector text and charts (`pdf`). The numbers come
//! from the same `Dashboard` questions as the screen's (`report`); nothing is recomputed here.
//! Every file is written atomically: into a temporary file in the same folder, flushed to disk,
//! then renamed into place, so a failed export never leaves half a report where the person
//! expects one.

pub mod csv;
pub mod pdf;
mod report;
pub mod text;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use outreach_model::{ExportDone, ExportFormat, ExportRequest};

pub use report::{Report, ReportContext};

use crate::{Dashboard, DashboardError};

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
    /// The path names a folder, not a file.
    #[error("{0} is a folder: give the export a file name, e.g. {0}/report.pdf")]
    IsFolder(PathBuf),
    /// The report's font could not be read; nothing was written.
    #[error(transparent)]
    Font(#[from] pdf::FontError),
    /// The report's numbers could not be read; nothing was written.
    #[error("{0}. Nothing was saved")]
    Dashboard(#[from] DashboardError),
}

/// A file being written: a temporary file beside `path`, renamed over it by `commit`. Dropped
/// without `commit` (an error, a cancelled export), it is removed and `path` is left as it was.
#[derive(Debug)]
pub struct AtomicFile {
    path: PathBuf,
    temporary: tempfile::NamedTempFile,
    out: BufWriter<File>,
}

impl AtomicFile {
    /// Starts writing `path`.
    pub fn create(path: &Path) -> Result<AtomicFile, ExportError> {
        if path.is_dir() {
            return Err(ExportError::IsFolder(path.to_path_buf()));
        }
        let folder = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let folder_error = |source| ExportError::Folder {
            folder: folder.clone(),
            source,
        };
        let temporary = tempfile::Builder::new()
            .prefix(".outreach-export-")
            .tempfile_in(&folder)
            .map_err(folder_error)?;
        let out = temporary.reopen().map_err(folder_error)?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            temporary,
            out: BufWriter::with_capacity(1 << 16, out),
        })
    }

    /// Where writes go.
    pub fn writer(&mut self) -> &mut BufWriter<File> {
        &mut self.out
    }

    /// A write error as the export reports it.
    pub fn failed(&self, source: std::io::Error) -> ExportError {
        write_failed(&self.path, source)
    }

    /// Flushes, syncs and renames the file into place; gives its size.
    pub fn commit(self) -> Result<u64, ExportError> {
        let AtomicFile {
            path,
            temporary,
            out,
        } = self;
        let file = out
            .into_inner()
            .map_err(|err| write_failed(&path, err.into_error()))?;
        file.sync_all().map_err(|err| write_failed(&path, err))?;
        let bytes = file
            .metadata()
            .map_err(|err| write_failed(&path, err))?
            .len();
        drop(file);
        temporary
            .persist(&path)
            .map_err(|err| write_failed(&path, err.error))?;
        Ok(bytes)
    }
}

fn write_failed(path: &Path, source: std::io::Error) -> ExportError {
    ExportError::Write {
        file: path.to_path_buf(),
        source,
    }
}

/// Writes the file `path` with `write`, atomically (see [`AtomicFile`]).
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<u64, ExportError> {
    let mut file = AtomicFile::create(path)?;
    if let Err(err) = write(file.writer()) {
        return Err(file.failed(err));
    }
    file.commit()
}

/// Writes the export `request` to `path`: the view's table as CSV, or its PDF report, with the
/// numbers of the same questions the screen asks. `context` says who asks and when.
pub async fn export(
    dashboard: &Dashboard,
    request: &ExportRequest,
    path: &Path,
    context: &ReportContext,
) -> Result<ExportDone, ExportError> {
    let (bytes, rows_or_pages) = match request.format {
        ExportFormat::Csv => {
            let mut file = AtomicFile::create(path)?;
            let rows = csv::write_view(dashboard, request, &mut file).await?;
            (file.commit()?, rows)
        }
        ExportFormat::Pdf => {
            // Every number first, then the file: a failed question leaves no file at all.
            let report = Report::gather(dashboard, request, context).await?;
            let pdf = pdf::render(&report)?;
            let bytes = write_atomically(path, |out| out.write_all(&pdf.bytes))?;
            (bytes, pdf.pages as u64)
        }
    };
    Ok(ExportDone {
        path: path.display().to_string(),
        bytes,
        rows_or_pages,
    })
}
