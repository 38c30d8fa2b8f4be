//! The command line: every setting has a flag and an environment variable.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};
use secrecy::SecretString;

#[derive(Debug, Parser)]
#[command(
    name = "strata",
    version,
    about = "Build analytics for GitLab CI: where pipeline time goes, and what cache, artifacts and Docker layer caching cost or save."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Where the data lives: a SQLite file (created on first start) or postgres://USER@HOST/DB.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "strata.db",
        global = true,
        hide_env_values = true
    )]
    pub database_url: String,

    /// Log format on stderr. Verbosity comes from RUST_LOG (default: info).
    #[arg(long, env = "STRATA_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the dashboard, the webhook endpoint and the API.
    Serve(ServeArgs),
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Write a CSV report (the same as /export/KIND.csv) to stdout or a file.
    Export(ExportArgs),
    /// Break a saved job log down into phases, cache and artifact transfers and Docker
    /// steps (no database or GitLab needed).
    AnalyzeLog(AnalyzeLogArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to export: pipelines, jobs, phases, cache-ops, artifact-ops, docker-steps or daily.
    pub kind: String,

    /// GitLab project id (default: every project).
    #[arg(long)]
    pub project: Option<String>,

    /// Window ending today: 7d, 30d or 90d (default 30d).
    #[arg(long)]
    pub period: Option<String>,

    /// First UTC day of a custom window, YYYY-MM-DD (with --to).
    #[arg(long)]
    pub from: Option<String>,

    /// Last UTC day of a custom window, inclusive (with --from).
    #[arg(long)]
    pub to: Option<String>,

    /// Branch or tag of the pipeline.
    #[arg(long = "ref")]
    pub git_ref: Option<String>,

    /// What started the pipeline (push, schedule, …).
    #[arg(long)]
    pub source: Option<String>,

    /// Status of the job (job rows) or pipeline (pipeline rows).
    #[arg(long)]
    pub status: Option<String>,

    /// Job name.
    #[arg(long)]
    pub job: Option<String>,

    /// One pipeline's rows, whatever the window (not for daily).
    #[arg(long)]
    pub pipeline: Option<String>,

    /// Write here instead of stdout (replaced only once the export is complete).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

impl ExportArgs {
    /// The filter flags as `(parameter, value)` pairs, the form URLs give them in.
    pub fn filter_pairs(&self) -> Vec<(&'static str, &str)> {
        [
            ("project", &self.project),
            ("period", &self.period),
            ("from", &self.from),
            ("to", &self.to),
            ("ref", &self.git_ref),
            ("source", &self.source),
            ("status", &self.status),
            ("job", &self.job),
            ("pipeline", &self.pipeline),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.as_deref().map(|v| (name, v)))
        .collect()
    }
}

#[derive(Debug, Args)]
pub struct AnalyzeLogArgs {
    /// The log file, or `-` for standard input.
    pub file: PathBuf,
    /// Print JSON (schema in docs/analyze-log.md) instead of the text report.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "STRATA_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,

    /// Directory holding the built site (pkg/strata.js, pkg/strata.wasm, pkg/strata.css).
    /// Found next to the binary or under ./target/site when not set.
    #[arg(long, env = "STRATA_SITE_ROOT")]
    pub site_root: Option<PathBuf>,

    #[command(flatten)]
    pub gitlab: GitLabArgs,

    /// Shared secret GitLab sends in X-Gitlab-Token; webhooks are refused until it is set.
    #[arg(long, env = "STRATA_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<SecretString>,
}

#[derive(Debug, Args, Clone)]
pub struct GitLabArgs {
    /// Base URL of the GitLab instance, e.g. https://gitlab.com or https://example.com/gitlab.
    #[arg(long, env = "GITLAB_URL")]
    pub gitlab_url: Option<String>,

    /// Personal, project or group access token with the read_api scope.
    #[arg(long, env = "GITLAB_TOKEN", hide_env_values = true)]
    pub gitlab_token: Option<SecretString>,
}
