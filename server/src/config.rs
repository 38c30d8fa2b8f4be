//! Typed settings, built from the command line and environment (see [`crate::cli`]).
//! Secrets stay wrapped in [`SecretString`], so `Debug` and logs show `[REDACTED]`.

use std::{net::SocketAddr, path::PathBuf};

use anyhow::Context;
use secrecy::SecretString;
use strata_app::{db::DatabaseUrl, model::SetupStatus};

use crate::cli::{GitLabArgs, GlobalArgs, ServeArgs};

/// gitlab.com, for a token given without a URL.
pub const DEFAULT_GITLAB_URL: &str = "https://gitlab.com";

#[derive(Debug, Clone)]
pub struct Settings {
    pub database: DatabaseUrl,
    pub listen: SocketAddr,
    pub site_root: Option<PathBuf>,
    pub gitlab: Option<GitLabSettings>,
    pub webhook_secret: Option<SecretString>,
}

#[derive(Debug, Clone)]
pub struct GitLabSettings {
    pub url: String,
    pub token: Option<SecretString>,
}

impl Settings {
    pub fn from_serve_args(global: &GlobalArgs, args: &ServeArgs) -> anyhow::Result<Settings> {
        Ok(Settings {
            database: database_url(global)?,
            listen: args.listen,
            site_root: args.site_root.clone(),
            gitlab: GitLabSettings::from_args(&args.gitlab),
            webhook_secret: args.webhook_secret.clone(),
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
            }),
        }
    }
}

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
}
