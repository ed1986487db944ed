//! Files written whole or not at all: into a temporary file in the same folder, flushed to
//! disk, then renamed over the old one, so a crash, a full disk or a dropped network share never
//! leaves half a file where a person (or the app, next time) expects one. Exports and the app's
//! settings are written this way.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Why a file could not be written; the file that was there before is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The folder cannot be written (missing, read-only, no permission).
    #[error("cannot write in {}: {source}", folder.display())]
    Folder {
        /// The folder of the file.
        folder: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// Writing failed part way (a full disk, a dropped share).
    #[error("could not finish writing {}: {source}", file.display())]
    Write {
        /// The file.
        file: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The path names a folder, not a file.
    #[error("{} is a folder, not a file", .0.display())]
    IsFolder(PathBuf),
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
    pub fn create(path: &Path) -> Result<AtomicFile, FileError> {
        if path.is_dir() {
            return Err(FileError::IsFolder(path.to_path_buf()));
        }
        let folder = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let folder_error = |source| FileError::Folder {
            folder: folder.clone(),
            source,
        };
        let temporary = tempfile::Builder::new()
            .prefix(".outreach-")
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

    /// A write error, naming the file.
    pub fn failed(&self, source: std::io::Error) -> FileError {
        write_failed(&self.path, source)
    }

    /// Flushes, syncs and renames the file into place; gives its size.
    pub fn commit(self) -> Result<u64, FileError> {
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

fn write_failed(path: &Path, source: std::io::Error) -> FileError {
    FileError::Write {
        file: path.to_path_buf(),
        source,
    }
}

/// Writes the file `path` with `write`, atomically (see [`AtomicFile`]); gives its size.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<u64, FileError> {
    let mut file = AtomicFile::create(path)?;
    if let Err(err) = write(file.writer()) {
        return Err(file.failed(err));
    }
    file.commit()
}

/// Writes `bytes` to `path` atomically, making its folder first.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<u64, FileError> {
    if let Some(folder) = path.parent().filter(|f| !f.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(|source| FileError::Folder {
            folder: folder.to_path_buf(),
            source,
        })?;
    }
    write_atomically(path, |out| out.write_all(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("listed")
            .map(|entry| {
                entry
                    .expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_file_is_replaced_whole_and_a_failed_write_leaves_the_old_one() {
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("nested").join("report.csv");
        write_file(&path, b"first").expect("written");
        write_file(&path, b"second").expect("written again");
        assert_eq!(std::fs::read(&path).expect("read"), b"second");
        let failed = write_atomically(&path, |out| {
            out.write_all(b"half")?;
            Err(std::io::Error::other("the disk is full"))
        });
        assert!(matches!(failed, Err(FileError::Write { .. })), "{failed:?}");
        assert_eq!(std::fs::read(&path).expect("kept"), b"second");
        assert_eq!(names(path.parent().expect("a folder")), ["report.csv"]);
    }

    #[test]
    fn a_folder_is_not_a_file_and_a_folder_inside_a_file_cannot_be_made() {
        let dir = tempfile::tempdir().expect("a folder");
        assert!(matches!(
            write_file(dir.path(), b"x"),
            Err(FileError::IsFolder(_))
        ));
        let blocker = dir.path().join("a-file");
        std::fs::write(&blocker, "not a folder").expect("a file");
        let err = write_file(&blocker.join("settings.toml"), b"x").expect_err("no folder");
        assert!(matches!(err, FileError::Folder { .. }), "{err}");
        assert_eq!(names(dir.path()), ["a-file"]);
    }
}
