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

use std::io::Write;
use std::path::{Path, PathBuf};

use outreach_model::{ExportDone, ExportFormat, ExportRequest, Role};

pub use report::{Report, ReportContext};

pub use crate::atomic::AtomicFile;
use crate::atomic::FileError;
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
    /// The export's audit event could not be kept; nothing was written.
    #[error(transparent)]
    NotRecorded(#[from] crate::audit::queue::QueueError),
    /// The person's role does not export (a viewer); nothing was written.
    #[error(
        "your role ({0}) may look at its campaigns but not export them; nothing was saved. Ask an administrator to grant one of your groups the analyst role (docs/security.md)"
    )]
    NotPermitted(Role),
}

/// Whether the person the database says `dashboard` is signed in as may export: anyone where no
/// one signs in (the demo, a database without access control), else an analyst or an admin. A
/// convenience, as the Export button's hiding is: what a viewer may see, they could copy.
pub async fn may_export(dashboard: &Dashboard) -> Result<(), ExportError> {
    match dashboard.identity().await? {
        Some(identity) if !identity.role.may_export() => {
            Err(ExportError::NotPermitted(identity.role))
        }
        _ => Ok(()),
    }
}

impl From<FileError> for ExportError {
    fn from(err: FileError) -> Self {
        match err {
            FileError::Folder { folder, source } => ExportError::Folder { folder, source },
            FileError::Write { file, source } => ExportError::Write { file, source },
            FileError::IsFolder(path) => ExportError::IsFolder(path),
        }
    }
}

/// Writes the file `path` with `write`, atomically (see [`AtomicFile`]); a failure says what to
/// do, as an export's does.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<u64, ExportError> {
    Ok(crate::atomic::write_atomically(path, write)?)
}

/// Writes the export `request` to `path`: the view's table as CSV, or its PDF report, with the
/// numbers of the same questions the screen asks. `context` says who asks and when.
pub async fn export(
    dashboard: &Dashboard,
    request: &ExportRequest,
    path: &Path,
    context: &ReportContext,
) -> Result<ExportDone, ExportError> {
    export_recorded(dashboard, request, path, context, |_| Ok(())).await
}

/// [`export`], calling `record` with the number of rows (CSV) or pages (PDF) once the file is
/// written in full and before it takes its name: if `record` fails (the export's audit event
/// could not be queued), no file appears.
pub async fn export_recorded(
    dashboard: &Dashboard,
    request: &ExportRequest,
    path: &Path,
    context: &ReportContext,
    record: impl FnOnce(u64) -> Result<(), crate::audit::queue::QueueError>,
) -> Result<ExportDone, ExportError> {
    may_export(dashboard).await?;
    let (bytes, rows_or_pages) = match request.format {
        ExportFormat::Csv => {
            let mut file = AtomicFile::create(path)?;
            let rows = csv::write_view(dashboard, request, &mut file).await?;
            record(rows)?;
            (file.commit()?, rows)
        }
        ExportFormat::Pdf => {
            // Every number first, then the file: a failed question leaves no file at all.
            let report = Report::gather(dashboard, request, context).await?;
            let pdf = pdf::render(&report)?;
            let mut file = AtomicFile::create(path)?;
            file.writer()
                .write_all(&pdf.bytes)
                .map_err(|source| ExportError::Write {
                    file: path.to_path_buf(),
                    source,
                })?;
            let pages = pdf.pages as u64;
            record(pages)?;
            (file.commit()?, pages)
        }
    };
    Ok(ExportDone {
        path: path.display().to_string(),
        bytes,
        rows_or_pages,
    })
}
