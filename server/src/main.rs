//! `strata`: build analytics for GitLab CI.

use std::process::ExitCode;

use clap::Parser;
use strata::cli::Cli;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    strata::telemetry::init(cli.global.log_format);
    match strata::commands::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // One line that says what failed and what to fix; the cause chain is joined by ": ".
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
