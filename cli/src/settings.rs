//! The desktop app's remembered view (`settings.toml` in the OS config directory, beside
//! `config.toml`, which people write and the app never does): the filter, read at start and
//! written whenever it changes, atomically (a temporary file renamed into place), so a crash
//! never leaves half a file.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow};
use outreach_model::ViewSettings;

/// The settings file's path.
pub fn settings_path() -> anyhow::Result<PathBuf> {
    Ok(crate::config::config_dir()?.join("settings.toml"))
}

/// The settings in `path`; the defaults when there is no file yet.
pub fn read(path: &Path) -> anyhow::Result<ViewSettings> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Ok(ViewSettings::default());
        }
        Err(err) => {
            return Err(anyhow!(
                "cannot read the app's settings {} ({err}): fix its permissions or remove it",
                path.display()
            ));
        }
    };
    toml::from_str(&text).map_err(|err| {
        anyhow!(
            "the app's settings {} are not valid ({}): the app starts on the last 30 days and will not write over the file until you fix or remove it",
            path.display(),
            err.message()
        )
    })
}

/// Writes `settings` to `path`: a temporary file in the same directory, flushed to disk, then
/// renamed over the old one.
pub fn write(path: &Path, settings: &ViewSettings) -> anyhow::Result<()> {
    write_toml(path, settings)
}

/// Where exports were last saved (`exports.toml`): the save dialog opens there next time,
/// often a shared drive.
#[derive(Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportPlace {
    /// The folder of the last export.
    pub last_folder: Option<PathBuf>,
}

/// The file that remembers where exports go.
pub fn export_place_path() -> anyhow::Result<PathBuf> {
    Ok(crate::config::config_dir()?.join("exports.toml"))
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
pub fn write_export_place(path: &Path, place: &ExportPlace) -> anyhow::Result<()> {
    write_toml(path, place)
}

fn write_toml(path: &Path, value: &impl serde::Serialize) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| anyhow!("the settings path {} has no directory", path.display()))?;
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create {} for the app's settings", dir.display()))?;
    let text = toml::to_string(value).context("cannot write the app's settings as TOML")?;
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write the app's settings in {}", dir.display()))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.as_file().sync_all())
        .with_context(|| format!("cannot write the app's settings in {}", dir.display()))?;
    file.persist(path).map_err(|err| {
        anyhow!(
            "cannot save the app's settings as {} ({})",
            path.display(),
            err.error
        )
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
    use outreach_model::{Channel, DateRange, RangePreset, SavedRange};
    use time::macros::date;

    #[test]
    fn settings_round_trip_and_a_missing_file_means_the_defaults() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("nested").join("settings.toml");
        assert_eq!(read(&path).expect("no file"), ViewSettings::default());

        let mut settings = ViewSettings {
            range: SavedRange::Preset(RangePreset::QuarterToDate),
            channels: vec![Channel::Sms, Channel::Push],
            campaign_types: vec!["Wellness, \"annual\"".to_owned()],
            ..ViewSettings::default()
        };
        write(&path, &settings).expect("written");
        assert_eq!(read(&path).expect("read back"), settings);

        settings.range = SavedRange::Custom(
            DateRange::new(date!(2026 - 01 - 05), date!(2026 - 02 - 01)).expect("days"),
        );
        write(&path, &settings).expect("written again");
        assert_eq!(read(&path).expect("read back"), settings);
        // Only the file itself is left: no temporary file beside it.
        let names: Vec<_> = std::fs::read_dir(path.parent().expect("a dir"))
            .expect("listed")
            .map(|entry| entry.expect("an entry").file_name())
            .collect();
        assert_eq!(names, ["settings.toml"]);
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
            let err = read(&path).expect_err(bad).to_string();
            assert!(
                err.contains("not valid") && err.contains("fix or remove"),
                "{err}"
            );
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
        let path = blocker.join("settings.toml");
        let err = write(&path, &ViewSettings::default()).expect_err("no folder");
        assert!(err.to_string().contains("cannot create"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&blocker).expect("kept"),
            "not a folder"
        );
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("listed")
            .map(|entry| entry.expect("an entry").file_name())
            .collect();
        assert_eq!(names, ["outreach-dashboard"], "nothing else was written");
    }
}
