//! The command line: every setting has a flag and an environment variable.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::{Args, Parser, Subcommand, ValueEnum};
use secrecy::SecretString;

use crate::gitlab::ProjectRef;

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
    /// Fetch pipelines, jobs and job logs from the GitLab REST API (backfill, then catch up).
    Sync(SyncArgs),
    /// Load demo data from a built-in fake GitLab (real sync, real log analysis), then serve
    /// the dashboard: Strata without a GitLab.
    Demo(DemoArgs),
    /// Write a CSV report (the same as /export/KIND.csv) to stdout or a file.
    Export(ExportArgs),
    /// Break a saved job log down into phases, cache and artifact transfers and Docker
    /// steps (no database or GitLab needed).
    AnalyzeLog(AnalyzeLogArgs),
    /// Read a password on standard input and print its argon2 hash, for a `[[users]]` entry
    /// of the STRATA_AUTH file.
    HashPassword,
    /// Print a new random API token and the `[[tokens]]` entry (its SHA-256) for STRATA_AUTH.
    NewToken {
        /// A name for the token, shown in logs when it is used.
        #[arg(long, default_value = "script")]
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address to serve the dashboard on.
    #[arg(long, env = "STRATA_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,

    /// Directory holding the built site (see `strata serve --help`).
    #[arg(long, env = "STRATA_SITE_ROOT")]
    pub site_root: Option<PathBuf>,

    /// Load the data, then exit instead of serving.
    #[arg(long)]
    pub load_only: bool,

    /// Days of history the fake GitLab makes up, ending now.
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=730))]
    pub days: u32,

    /// End of the demo history, RFC 3339 (default: the start of the current UTC hour).
    #[arg(long)]
    pub until: Option<chrono::DateTime<chrono::Utc>>,

    /// Push and merge-request pipelines per demo project over those days.
    #[arg(long, default_value_t = 400, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub pipelines_per_project: u32,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to export: pipelines, jobs, phases, cache-ops, artifact-ops, docker-steps, daily or
    /// impact.
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

    /// One pipeline's rows, whatever the window (not for daily or impact).
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

    #[command(flatten)]
    pub schedule: SyncScheduleArgs,

    #[command(flatten)]
    pub ops: OpsArgs,
}

/// Access control, the public address and data retention (see README, "Operating").
#[derive(Debug, Args, Clone)]
pub struct OpsArgs {
    /// TOML file with users (argon2 password hashes) and API token digests; without it,
    /// everything is open to anyone who can reach the address.
    #[arg(long, env = "STRATA_AUTH", value_name = "FILE")]
    pub auth: Option<PathBuf>,

    /// The address users reach Strata at, e.g. https://strata.example.com (makes the session
    /// cookie Secure when https, and is the origin forms must come from).
    #[arg(long, env = "STRATA_PUBLIC_URL")]
    pub public_url: Option<url::Url>,

    /// Days of pipelines and jobs to keep (daily rollups are kept forever); 0 or `off` keeps
    /// everything.
    #[arg(long, env = "STRATA_RETENTION_DAYS", default_value = "365", value_parser = parse_retention)]
    pub retention_days: Retention,

    /// How old an Impact report (the project page's Impact section, the overview's findings)
    /// may be when new data has arrived: such a report is shown at once while the new one is
    /// computed in the background (one at a time, each at most every 10 s). 0s always computes
    /// the new one first (slower pages under steady ingest).
    #[arg(long, env = "STRATA_IMPACT_MAX_STALE", default_value = "5m", value_parser = parse_duration)]
    pub impact_max_stale: Duration,

    /// Connections served at once; more wait until one closes. Headers must arrive within
    /// 10 s, a body may not stall for 10 s, an answer must start within 60 s.
    #[arg(long, env = "STRATA_MAX_CONNECTIONS", default_value_t = crate::serve::MAX_CONNECTIONS,
          value_parser = clap::value_parser!(usize))]
    pub max_connections: usize,
}

/// How long raw pipelines and jobs are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retention {
    Days(u32),
    Forever,
}

impl Retention {
    pub fn days(self) -> Option<i64> {
        match self {
            Retention::Days(days) => Some(i64::from(days)),
            Retention::Forever => None,
        }
    }
}

/// `365`, or `0` / `off` for no purge.
pub fn parse_retention(text: &str) -> Result<Retention, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("off") {
        return Ok(Retention::Forever);
    }
    match text.trim_end_matches('d').parse::<u32>() {
        Ok(0) => Ok(Retention::Forever),
        Ok(days) => Ok(Retention::Days(days)),
        Err(_) => Err(format!(
            "{text:?} is not a retention: give a number of days (e.g. 365), or 0 or off to keep everything"
        )),
    }
}

/// The background sync inside `strata serve`.
#[derive(Debug, Args, Clone)]
pub struct SyncScheduleArgs {
    /// Projects to keep in sync (ids or paths, comma-separated); none turns background sync off.
    #[arg(
        long = "sync-projects",
        env = "STRATA_PROJECTS",
        value_delimiter = ',',
        value_name = "PATH_OR_ID"
    )]
    pub projects: Vec<ProjectRef>,

    /// How often the background sync runs, e.g. 15m, 1h.
    #[arg(long, env = "STRATA_SYNC_INTERVAL", default_value = "15m", value_parser = parse_duration)]
    pub sync_interval: Duration,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// A project to sync: numeric id or path (group/name). Repeat for several.
    #[arg(
        long = "project",
        env = "STRATA_PROJECTS",
        value_delimiter = ',',
        required = true,
        value_name = "PATH_OR_ID"
    )]
    pub projects: Vec<ProjectRef>,

    /// How far back the first sync of a project reaches, e.g. 90d, 2w, 12h.
    #[arg(long, default_value = "90d", value_parser = parse_duration)]
    pub since: Duration,

    /// Re-read everything from --since, ignoring where the last sync stopped.
    #[arg(long)]
    pub full: bool,

    #[command(flatten)]
    pub gitlab: GitLabArgs,
}

#[derive(Debug, Args, Clone)]
pub struct GitLabArgs {
    /// Base URL of the GitLab instance, e.g. https://gitlab.com or https://example.com/gitlab.
    #[arg(long, env = "GITLAB_URL")]
    pub gitlab_url: Option<String>,

    /// Personal, project or group access token with the read_api scope.
    #[arg(long, env = "GITLAB_TOKEN", hide_env_values = true)]
    pub gitlab_token: Option<SecretString>,

    /// Requests per second to GitLab at most (gitlab.com allows about 33 per user); 0 for no limit.
    #[arg(long, env = "GITLAB_MAX_RPS", default_value_t = 10.0)]
    pub max_rps: f64,

    /// Requests to GitLab in flight at most.
    #[arg(long, env = "GITLAB_CONCURRENCY", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
}

/// A duration with a unit: `30s`, `15m`, `12h`, `90d`, `2w`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().map_err(|_| {
        format!("{text:?} is not a duration: use a number with a unit, e.g. 30s, 15m, 12h, 90d, 2w")
    })?;
    let seconds = match unit.trim() {
        "s" => 1,
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => {
            return Err(format!(
                "{text:?} has no known unit: use s, m, h, d or w (e.g. 15m, 90d)"
            ));
        }
    };
    number
        .checked_mul(seconds)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("{text:?} is too long"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_need_a_unit() {
        assert_eq!(parse_duration("90d"), Ok(Duration::from_secs(90 * 86_400)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration(" 2w "), Ok(Duration::from_secs(14 * 86_400)));
        assert!(parse_duration("15").unwrap_err().contains("unit"));
        assert!(parse_duration("d").unwrap_err().contains("not a duration"));
        assert!(parse_duration("99999999999999999999w").is_err());
    }

    #[test]
    fn retention_is_days_or_off() {
        assert_eq!(parse_retention("365"), Ok(Retention::Days(365)));
        assert_eq!(parse_retention("30d"), Ok(Retention::Days(30)));
        assert_eq!(parse_retention("0"), Ok(Retention::Forever));
        assert_eq!(parse_retention("OFF"), Ok(Retention::Forever));
        assert!(
            parse_retention("a year")
                .unwrap_err()
                .contains("number of days")
        );
        let cli = Cli::try_parse_from(["strata", "serve"]).unwrap();
        let Command::Serve(args) = cli.command else {
            panic!("not serve")
        };
        assert_eq!(args.ops.retention_days.days(), Some(365));
    }

    #[test]
    fn sync_takes_projects_by_flag_or_list() {
        let cli = Cli::try_parse_from([
            "strata",
            "sync",
            "--project",
            "acme/web",
            "--project",
            "42",
            "--since",
            "7d",
        ])
        .unwrap();
        let Command::Sync(args) = cli.command else {
            panic!("not sync")
        };
        assert_eq!(
            args.projects,
            [ProjectRef::Path("acme/web".into()), ProjectRef::Id(42)]
        );
        assert_eq!(args.since, Duration::from_secs(7 * 86_400));
        assert_eq!(args.gitlab.concurrency, 4);
        assert!(Cli::try_parse_from(["strata", "sync"]).is_err());
    }
}
