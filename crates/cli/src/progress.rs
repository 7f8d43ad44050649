//! Progress for long work (import, verify, export, replay of large ledgers): a bar with rate
//! and ETA on stderr when it is a terminal, nothing at all when it is not (pipes, CI, tests).

use std::io::IsTerminal;

/// A progress bar that may be invisible.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    what: &'static str,
    lazy: std::cell::OnceCell<Option<indicatif::ProgressBar>>,
}

/// The bar's `{rate}`: whole items per second (indicatif's `{per_sec}` prints four decimals).
fn rate(state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write) {
    let _ = write!(w, "{:.0}/s", state.per_sec());
}

/// Below this many items a bar would only flicker.
const MIN_ITEMS: u64 = 20_000;

impl Progress {
    /// A bar for `total` items labelled `what`; hidden unless stderr is a terminal and the
    /// work is large.
    pub fn new(total: u64, what: &'static str) -> Self {
        Self::of(total, what, "events")
    }

    /// [`Progress::new`] for items other than events (`unit`, e.g. "votes").
    pub fn of(total: u64, what: &'static str, unit: &str) -> Self {
        Self {
            bar: Self::make(total, what, unit),
            what,
            lazy: std::cell::OnceCell::new(),
        }
    }

    /// A bar whose total is known only later ([`Progress::set_of`]).
    pub fn lazy(what: &'static str) -> Self {
        Self {
            bar: None,
            what,
            lazy: std::cell::OnceCell::new(),
        }
    }

    /// Sets the count done out of `total`, creating the bar on first use.
    pub fn set_of(&self, n: u64, total: u64) {
        if let Some(b) = self
            .lazy
            .get_or_init(|| Self::make(total, self.what, "events"))
        {
            b.set_position(n);
        }
    }

    fn make(total: u64, what: &str, unit: &str) -> Option<indicatif::ProgressBar> {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        if total == 0 {
            // Unknown total (an import read as it goes): a counter with its rate.
            let bar = indicatif::ProgressBar::new_spinner();
            if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
                "{{msg:>8}} {{spinner}} {{pos}} {unit}  {{rate}}  {{elapsed}}"
            )) {
                bar.set_style(style.with_key("rate", rate));
            }
            bar.set_message(what.to_string());
            return Some(bar);
        }
        if total < MIN_ITEMS {
            return None;
        }
        let bar = indicatif::ProgressBar::new(total);
        let style = indicatif::ProgressStyle::with_template(&format!(
            "{{msg:>8}} [{{bar:40}}] {{pos}}/{{len}} {unit}  {{rate}}  ETA {{eta}}"
        ))
        .map(|s| s.progress_chars("=> ").with_key("rate", rate))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message(what.to_string());
        Some(bar)
    }

    /// Sets the count done.
    pub fn set(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.set_position(n);
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(b) = self
            .bar
            .as_ref()
            .or(self.lazy.get().and_then(Option::as_ref))
        {
            b.finish_and_clear();
        }
    }
}
