//! Where headless Chromium is, for the bench's page-load figure and the browser tests.

use std::path::PathBuf;

/// The Chromium binary: `ACTLEDGER_CHROMIUM`, else the first of the usual names on `PATH`.
pub fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ACTLEDGER_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| {
            [
                "chromium",
                "chromium-browser",
                "google-chrome",
                "google-chrome-stable",
            ]
            .into_iter()
            .map(move |name| dir.join(name))
        })
        .find(|p| p.is_file())
}
