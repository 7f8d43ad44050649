//! Progress for long work (import, verify, export, replay of large ledgers): a bar with rate
//! and ETA on stderr when it is a terminal, nothing at all when it is not (pipes, CI, tests).

use std::io::IsTerminal;

/// A progress bar that may be invisible.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

/// Below this many items a bar would only flicker.
const MIN_ITEMS: u64 = 20_000;

impl Progress {
    /// A bar for `total` items labelled `what`; hidden unless stderr is a terminal and the
    /// work is large.
    pub fn new(total: u64, what: &str) -> Self {
        if total < MIN_ITEMS || !std::io::stderr().is_terminal() {
            return Self { bar: None };
        }
        let bar = indicatif::ProgressBar::new(total);
        let style = indicatif::ProgressStyle::with_template(
            "{msg:>8} [{bar:40}] {pos}/{len} events  {per_sec}  ETA {eta}",
        )
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message(what.to_string());
        Self { bar: Some(bar) }
    }

    /// Sets the count done.
    pub fn set(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.set_position(n);
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
