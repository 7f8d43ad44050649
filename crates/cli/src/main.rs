//! The `actledger` command.

#![forbid(unsafe_code)]

mod cli;
mod commands;
mod keyfile;
mod output;
mod progress;

use std::process::ExitCode;

use clap::Parser as _;

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

/// The error and its causes on one line, like `{:#}`, but without repeating a cause that an
/// error's own message already ends with (`StoreError::Io` prints its source, which is also
/// the next link of the chain).
fn one_line(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if line.ends_with(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

/// A clap usage error in two lines: what is wrong (with clap's tip, if any), then the usage
/// and where to read more. Clap's own rendering takes four to six lines with blank ones.
fn usage_error(rendered: &str) -> String {
    let mut error = Vec::new();
    let mut tips = Vec::new();
    let mut usage = None;
    let mut in_error = true;
    for line in rendered.lines().map(str::trim) {
        if line.is_empty() {
            in_error = false;
        } else if let Some(u) = line.strip_prefix("Usage: ") {
            usage = Some(u.to_string());
        } else if line.starts_with("tip: ") {
            tips.push(line.to_string());
        } else if in_error {
            error.push(line.to_string());
        }
    }
    let mut first = error.join(" ");
    if !tips.is_empty() {
        first = format!("{first} ({})", tips.join("; "));
    }
    let hint = match usage {
        Some(u) => format!("usage: {u}; for more information, try '--help'"),
        None => "for more information, try '--help'".to_string(),
    };
    format!("{first}\n{hint}")
}

fn main() -> ExitCode {
    actledger::allocator::tune();
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                e.exit();
            }
            eprintln!("{}", usage_error(&e.render().to_string()));
            return ExitCode::from(2);
        }
    };
    let result = commands::run(cli);
    output::flush();
    report_rss();
    if let Some(e) = output::failed() {
        // The output is incomplete: whatever the command did, its caller must not take it.
        if let Err(other) = &result {
            eprintln!("error: {}", one_line(other));
        }
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(v) = e.downcast_ref::<VerificationFailed>() {
                eprintln!("{v}");
                ExitCode::from(1)
            } else if e.chain().any(|c| {
                c.downcast_ref::<actledger_store::StoreError>()
                    .is_some_and(actledger_store::StoreError::is_corruption)
            }) {
                // Damaged or tampered stored data (sled's own files included) is a failed
                // verification, not bad input.
                eprintln!("error: {}", one_line(&e));
                ExitCode::from(1)
            } else {
                eprintln!("error: {}", one_line(&e));
                ExitCode::from(2)
            }
        }
    }
}
