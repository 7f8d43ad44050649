//! The `actledger` command.

#![forbid(unsafe_code)]

mod cli;
mod commands;
mod keyfile;
mod output;
mod progress;

use std::process::ExitCode;

use clap::Parser;

/// An error that means "verification failed" (exit 1) rather than bad input (exit 2).
#[derive(Debug)]
pub struct VerificationFailed(pub String);

impl std::fmt::Display for VerificationFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for VerificationFailed {}

/// Prints the process's peak resident memory to stderr when `ACTLEDGER_REPORT_RSS` is set
/// (used by the benchmark; Linux only).
fn report_rss() {
    if std::env::var_os("ACTLEDGER_REPORT_RSS").is_none() {
        return;
    }
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        if let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:")) {
            eprintln!("peak-rss {}", line.trim_start_matches("VmHWM:").trim());
        }
    }
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = commands::run(cli);
    report_rss();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(v) = e.downcast_ref::<VerificationFailed>() {
                eprintln!("{v}");
                ExitCode::from(1)
            } else {
                eprintln!("error: {e:#}");
                ExitCode::from(2)
            }
        }
    }
}
