//! Typed settings, built from the command line and environment (see [`crate::cli`]).
//! Secrets stay wrapped in [`SecretString`], so `Debug` and logs show `[REDACTED]`.

use std::{net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};

use anyhow::Context;
use secrecy::SecretString;
use strata_core::{db::DatabaseUrl, model::SetupStatus};

use crate::{
    auth::AuthConfig,
    cli::{GitLabArgs, GlobalArgs, OpsArgs, ServeArgs},
    gitlab::{ClientConfig, ProjectRef},
};

/// gitlab.com, for a token given without a URL.
pub const DEFAULT_GITLAB_URL: &str = "https://gitlab.com";

#[derive(Debug, Clone)]
pub struct Settings {
    pub database: DatabaseUrl,
    pub listen: SocketAddr,
    pub site_root: Option<PathBuf>,
    pub gitlab: Option<GitLabSettings>,
    pub webhook_secret: Option<SecretString>,
    pub ops: OpsSettings,
}

/// Access control, the public address, retention and report freshness. `Default` is open,
/// with no public URL, keeping everything, Impact reports always current (the command line's
/// defaults: 365 days, 5 minutes).
#[derive(Debug, Clone, Default)]
pub struct OpsSettings {
    pub auth: Option<Arc<AuthConfig>>,
    pub public_url: Option<url::Url>,
    /// Days of pipelines and jobs to keep; `None` keeps everything.
    pub retention_days: Option<i64>,
    /// Impact reports of older data served while newer ones are computed, up to this age
    /// (`Default`: zero, always current).
    pub impact_max_stale: Duration,
    /// Connections served at once (`None`: [`crate::serve::MAX_CONNECTIONS`]).
    pub max_connections: Option<usize>,
    /// The projects webhooks are accepted for (`STRATA_PROJECTS`); empty: any project.
    pub webhook_projects: Vec<ProjectRef>,
}

impl OpsSettings {
    pub fn from_args(args: &OpsArgs) -> anyhow::Result<OpsSettings> {
        let auth = match &args.auth {
            Some(path) => Some(Arc::new(AuthConfig::load(path)?)),
            None => None,
        };
        Ok(OpsSettings {
            auth,
            public_url: args.public_url.clone(),
            retention_days: args.retention_days.days(),
            impact_max_stale: args.impact_max_stale,
            max_connections: Some(args.max_connections),
            webhook_projects: Vec::new(),
        })
    }
}

#[derive(Debug, Clone)]
pub struct GitLabSettings {
    pub url: String,
    pub token: Option<SecretString>,
    /// Requests per second at most; `None` for no ceiling.
    pub max_rps: Option<f64>,
    pub concurrency: usize,
    /// Projects the background sync in `strata serve` keeps up to date (none: no sync).
    pub sync_projects: Vec<ProjectRef>,
    pub sync_interval: Duration,
}

impl Settings {
    pub fn from_serve_args(global: &GlobalArgs, args: &ServeArgs) -> anyhow::Result<Settings> {
        Ok(Settings {
            database: database_url(global)?,
            listen: args.listen,
            site_root: args.site_root.clone(),
            gitlab: GitLabSettings::from_args(&args.gitlab).map(|gitlab| GitLabSettings {
                sync_projects: args.schedule.projects.clone(),
                sync_interval: args.schedule.sync_interval,
                ..gitlab
            }),
            webhook_secret: args.webhook_secret.clone(),
            ops: OpsSettings {
                webhook_projects: args.schedule.projects.clone(),
                ..OpsSettings::from_args(&args.ops)?
            },
        })
    }

    /// What pages may know about the set-up: no secrets, only whether they are there.
    pub fn setup_status(&self) -> SetupStatus {
        SetupStatus {
            gitlab_url: self.gitlab.as_ref().map(|g| g.url.clone()),
            gitlab_token: self.gitlab.as_ref().is_some_and(|g| g.token.is_some()),
            webhook_secret: self.webhook_secret.is_some(),
        }
    }
}

impl GitLabSettings {
    pub fn from_args(args: &GitLabArgs) -> Option<GitLabSettings> {
        let url = args.gitlab_url.clone().filter(|u| !u.trim().is_empty());
        let token = args.gitlab_token.clone();
        match (url, token) {
            (None, None) => None,
            (url, token) => Some(GitLabSettings {
                url: url
                    .unwrap_or_else(|| DEFAULT_GITLAB_URL.to_owned())
                    .trim_end_matches('/')
                    .to_owned(),
                token,
                max_rps: (args.max_rps > 0.0).then_some(args.max_rps),
                concurrency: usize::from(args.concurrency),
                sync_projects: Vec::new(),
                sync_interval: DEFAULT_SYNC_INTERVAL,
            }),
        }
    }

    /// How the REST client talks to this instance; `None` without a token (nothing to sync).
    pub fn client_config(&self) -> Option<ClientConfig> {
        let token = self.token.clone()?;
        Some(ClientConfig {
            max_rps: self.max_rps,
            concurrency: self.concurrency,
            ..ClientConfig::new(self.url.clone(), token)
        })
    }
}

/// How often `strata serve` syncs when STRATA_SYNC_INTERVAL is not set.
pub const DEFAULT_SYNC_INTERVAL: Duration = Duration::from_secs(15 * 60);

pub fn database_url(global: &GlobalArgs) -> anyhow::Result<DatabaseUrl> {
    global
        .database_url
        .parse()
        .context("DATABASE_URL is not usable")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    use crate::cli::{Cli, Command};

    fn serve_settings(args: &[&str]) -> Settings {
        let cli = Cli::try_parse_from(args).unwrap();
        match &cli.command {
            Command::Serve(serve) => Settings::from_serve_args(&cli.global, serve).unwrap(),
            other => panic!("parsed {other:?}"),
        }
    }

    #[test]
    fn defaults_to_a_local_sqlite_file_on_loopback() {
        let settings = serve_settings(&["strata", "serve"]);
        assert_eq!(settings.database, DatabaseUrl::Sqlite("strata.db".into()));
        assert_eq!(settings.listen.to_string(), "127.0.0.1:3000");
        assert!(settings.gitlab.is_none());
        assert_eq!(settings.setup_status(), SetupStatus::default());
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let settings = serve_settings(&[
            "strata",
            "serve",
            "--gitlab-token",
            "glpat-very-secret",
            "--webhook-secret",
            "hook-secret",
            "--database-url",
            "postgres://u:db-secret@localhost/strata",
        ]);
        let shown = format!("{settings:?}");
        for secret in ["glpat-very-secret", "hook-secret", "db-secret"] {
            assert!(!shown.contains(secret), "{secret} leaked: {shown}");
        }
        let status = settings.setup_status();
        assert!(status.gitlab_token && status.webhook_secret);
        assert_eq!(status.gitlab_url.as_deref(), Some(DEFAULT_GITLAB_URL));
    }

    #[test]
    fn a_gitlab_url_keeps_its_path_prefix() {
        let settings = serve_settings(&[
            "strata",
            "serve",
            "--gitlab-url",
            "https://example.com/gitlab/",
        ]);
        assert_eq!(settings.gitlab.unwrap().url, "https://example.com/gitlab");
    }

    #[test]
    fn serve_takes_a_sync_schedule_and_request_ceilings() {
        let settings = serve_settings(&[
            "strata",
            "serve",
            "--gitlab-token",
            "t",
            "--sync-projects",
            "acme/web,42",
            "--sync-interval",
            "5m",
            "--max-rps",
            "0",
            "--concurrency",
            "8",
        ]);
        let gitlab = settings.gitlab.unwrap();
        assert_eq!(
            gitlab.sync_projects,
            [ProjectRef::Path("acme/web".into()), ProjectRef::Id(42)]
        );
        assert_eq!(gitlab.sync_interval, Duration::from_secs(300));
        let client = gitlab.client_config().unwrap();
        assert_eq!(client.max_rps, None);
        assert_eq!(client.concurrency, 8);
        let no_token = serve_settings(&["strata", "serve", "--gitlab-url", "https://g"]);
        assert!(no_token.gitlab.unwrap().client_config().is_none());
    }
}
