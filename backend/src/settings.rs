//! What the desktop app remembers between runs, beside `config.toml` (which people write and the
//! app never does): the view (`settings.toml`: the filter, read at start and written whenever
//! it changes) and the folder of the last export (`exports.toml`). Both are written atomically,
//! and a damaged `settings.toml` is reported and never written over.

use std::path::{Path, PathBuf};

use outreach_model::ViewSettings;

use crate::atomic::{self, FileError};

/// Why the remembered view could not be read or saved.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The file exists but cannot be read.
    #[error("cannot read the app's settings {} ({source}): fix its permissions or remove it", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The file is not valid settings.
    #[error(
        "the app's settings {} are not valid ({reason}): the app starts on the last 30 days and will not write over the file until you fix or remove it",
        path.display()
    )]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, as the TOML reader says it.
        reason: String,
    },
    /// The settings could not be written; the old file, if any, is as it was.
    #[error("cannot save the app's settings: {0}; check that you may write in that folder")]
    Write(#[from] FileError),
    /// The settings could not be written as TOML.
    #[error("cannot write the app's settings as TOML ({0})")]
    Encode(String),
}

/// The remembered view in `path`; the defaults when there is no file yet.
pub fn read_view(path: &Path) -> Result<ViewSettings, SettingsError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Ok(ViewSettings::default());
        }
        Err(source) => {
            return Err(SettingsError::Unreadable {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    toml::from_str(&text).map_err(|err| SettingsError::Invalid {
        path: path.to_path_buf(),
        reason: err.message().to_owned(),
    })
}

/// Remembers `settings` in `path`, atomically.
pub fn write_view(path: &Path, settings: &ViewSettings) -> Result<(), SettingsError> {
    write_toml(path, settings)
}

/// Where exports were last saved: the save dialog opens there next time, often a shared drive.
#[derive(Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportPlace {
    /// The folder of the last export.
    pub last_folder: Option<PathBuf>,
}

/// The remembered export folder; none when nothing is remembered or the file is unreadable
/// (the dialog then opens in the OS's default folder, which is harmless).
pub fn read_export_place(path: &Path) -> ExportPlace {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| toml::from_str(&text).ok())
        .unwrap_or_default()
}

/// Remembers the export folder, atomically.
pub fn write_export_place(path: &Path, place: &ExportPlace) -> Result<(), SettingsError> {
    write_toml(path, place)
}

fn write_toml(path: &Path, value: &impl serde::Serialize) -> Result<(), SettingsError> {
    let text = toml::to_string(value).map_err(|err| SettingsError::Encode(err.to_string()))?;
    atomic::write_file(path, text.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use outreach_model::{Channel, DateRange, RangePreset, SavedRange};
    use time::macros::date;

    #[test]
    fn the_export_folder_round_trips_and_a_bad_file_means_none() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("exports.toml");
        assert_eq!(read_export_place(&path), ExportPlace::default());
        let place = ExportPlace {
            last_folder: Some(PathBuf::from("/mnt/shared drive/Reports, 2026")),
        };
        write_export_place(&path, &place).expect("written");
        assert_eq!(read_export_place(&path), place);
        std::fs::write(&path, "last_folder = [").expect("a broken file");
        assert_eq!(read_export_place(&path), ExportPlace::default());
    }

    #[test]
    fn settings_round_trip_and_a_missing_file_means_the_defaults() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("nested").join("settings.toml");
        assert_eq!(read_view(&path).expect("no file"), ViewSettings::default());

        let mut settings = ViewSettings {
            range: SavedRange::Preset(RangePreset::QuarterToDate),
            channels: vec![Channel::Sms, Channel::Push],
            campaign_types: vec!["Wellness, \"annual\"".to_owned()],
            ..ViewSettings::default()
        };
        write_view(&path, &settings).expect("written");
        assert_eq!(read_view(&path).expect("read back"), settings);

        settings.range = SavedRange::Custom(
            DateRange::new(date!(2026 - 01 - 05), date!(2026 - 02 - 01)).expect("days"),
        );
        write_view(&path, &settings).expect("written again");
        assert_eq!(read_view(&path).expect("read back"), settings);
        let names: Vec<_> = std::fs::read_dir(path.parent().expect("a dir"))
            .expect("listed")
            .map(|entry| entry.expect("an entry").file_name())
            .collect();
        assert_eq!(
            names,
            ["settings.toml"],
            "no temporary file is left beside it"
        );
    }

    #[test]
    fn a_damaged_file_says_what_is_wrong_and_is_left_alone() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("settings.toml");
        for bad in [
            "range = \"last_31_days\"",
            "range = { start = \"2026-02-01\", end = \"2026-01-01\" }",
            "channels = [\"Fax\"]",
            "colour = \"blue\"",
        ] {
            std::fs::write(&path, bad).expect("written");
            let err = read_view(&path).expect_err(bad);
            assert!(matches!(err, SettingsError::Invalid { .. }), "{err}");
            assert!(err.to_string().contains("fix or remove"), "{err}");
            assert_eq!(std::fs::read_to_string(&path).expect("kept"), bad);
        }
    }

    #[test]
    fn a_folder_that_cannot_be_made_gives_a_message_and_no_file() {
        // The settings' folder would be inside a regular file: no user, root included, can
        // create it.
        let dir = tempfile::tempdir().expect("a temp dir");
        let blocker = dir.path().join("outreach-dashboard");
        std::fs::write(&blocker, "not a folder").expect("a file");
        let err = write_view(&blocker.join("settings.toml"), &ViewSettings::default())
            .expect_err("no folder");
        assert!(
            matches!(err, SettingsError::Write(FileError::Folder { .. })),
            "{err}"
        );
        assert!(err.to_string().contains("cannot write in"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&blocker).expect("kept"),
            "not a folder"
        );
    }
}
