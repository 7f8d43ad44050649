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

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
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
