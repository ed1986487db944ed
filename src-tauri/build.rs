//! Tauri's build step: embeds the page (ui/dist) and declares the app's commands, so the
//! capability file can grant exactly those.

fn main() {
    let attributes =
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(&[
            "summary",
            "trend",
            "campaigns",
            "campaign_names",
            "campaign_types",
            "ranking",
            "campaign_metrics",
            "segments",
            "settings",
            "save_settings",
            "health",
            "export",
            "session",
            "sign_in",
            "sign_out",
        ]));
    if let Err(err) = tauri_build::try_build(attributes) {
        // A build script reports through a panic; this one says what to do.
        panic!("{err:#}: build the view layer first with `bash scripts/build-ui.sh`");
    }
}
