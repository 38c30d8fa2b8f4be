//! The STRATA_AUTH file: who may sign in (argon2 password hashes), which API tokens are valid
//! (their SHA-256, so the file holds nothing that works as a credential), and which
//! operational endpoints stay public.

use std::{fmt, path::Path, time::Duration};

use anyhow::{Context, bail};
use argon2::password_hash::PasswordHash;
use serde::Deserialize;

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// How long a browser session lasts after sign-in.
    #[serde(default = "default_session_hours")]
    pub session_hours: u32,
    /// Whether `/healthz` answers without credentials (load balancers, orchestrators).
    #[serde(default = "yes")]
    pub public_healthz: bool,
    /// Whether `/metrics` answers without credentials (Prometheus scrapes).
    #[serde(default = "yes")]
    pub public_metrics: bool,
    #[serde(default)]
    pub users: Vec<User>,
    #[serde(default)]
    pub tokens: Vec<Token>,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub name: String,
    /// A PHC string, `$argon2id$v=19$…` (`strata hash-password` prints one).
    pub password_hash: String,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Token {
    pub name: String,
    /// Lower-case hex SHA-256 of the token (`strata new-token` prints one).
    pub sha256: String,
}

fn default_session_hours() -> u32 {
    12
}

fn yes() -> bool {
    true
}

impl AuthConfig {
    pub fn load(path: &Path) -> anyhow::Result<AuthConfig> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read STRATA_AUTH file {}", path.display()))?;
        AuthConfig::parse(&text)
            .with_context(|| format!("STRATA_AUTH file {} is not usable", path.display()))
    }

    pub fn parse(text: &str) -> anyhow::Result<AuthConfig> {
        let config: AuthConfig = toml::from_str(text).context("not valid TOML for Strata")?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if self.users.is_empty() && self.tokens.is_empty() {
            bail!("it lists no [[users]] and no [[tokens]]: nobody could get in");
        }
        if self.session_hours == 0 {
            bail!("session_hours must be at least 1");
        }
        let mut names = std::collections::HashSet::new();
        for user in &self.users {
            if user.name.trim().is_empty() || !names.insert(("user", user.name.as_str())) {
                bail!("user names must be non-empty and unique ({:?})", user.name);
            }
            let hash = PasswordHash::new(&user.password_hash).map_err(|e| {
                anyhow::anyhow!(
                    "user {:?}: password_hash is not a PHC string: {e}",
                    user.name
                )
            })?;
            if !hash.algorithm.as_str().starts_with("argon2") {
                bail!(
                    "user {:?}: password_hash must be argon2 (use strata hash-password)",
                    user.name
                );
            }
        }
        for token in &self.tokens {
            if token.name.trim().is_empty() || !names.insert(("token", token.name.as_str())) {
                bail!(
                    "token names must be non-empty and unique ({:?})",
                    token.name
                );
            }
            if token.sha256.len() != 64 || !token.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                bail!("token {:?}: sha256 must be 64 hex digits", token.name);
            }
        }
        Ok(())
    }

    pub fn session_lifetime(&self) -> Duration {
        Duration::from_secs(u64::from(self.session_hours) * 3600)
    }
}

/// Names only: hashes and digests stay out of logs.
impl fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthConfig")
            .field("session_hours", &self.session_hours)
            .field("public_healthz", &self.public_healthz)
            .field("public_metrics", &self.public_metrics)
            .field(
                "users",
                &self.users.iter().map(|u| &u.name).collect::<Vec<_>>(),
            )
            .field(
                "tokens",
                &self.tokens.iter().map(|t| &t.name).collect::<Vec<_>>(),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2xg0mUIiNRoWFo7bnU3ez1bLwSp2x7ZMGOa0ZkqI+ro";

    #[test]
    fn parses_users_tokens_and_defaults() {
        let text = format!(
            "[[users]]\nname = \"alice\"\npassword_hash = \"{HASH}\"\n[[tokens]]\nname = \"ci\"\nsha256 = \"{}\"\n",
            "a".repeat(64)
        );
        let config = AuthConfig::parse(&text).unwrap();
        assert_eq!(config.session_hours, 12);
        assert!(config.public_healthz && config.public_metrics);
        let shown = format!("{config:?}");
        assert!(
            shown.contains("alice") && !shown.contains("argon2id"),
            "{shown}"
        );
    }

    #[test]
    fn refuses_what_cannot_work() {
        let err = |text: &str| format!("{:#}", AuthConfig::parse(text).unwrap_err());
        assert!(err("").contains("nobody"));
        assert!(err("[[users]]\nname = \"a\"\npassword_hash = \"plain\"").contains("PHC"));
        assert!(err("[[tokens]]\nname = \"a\"\nsha256 = \"abc\"").contains("64 hex"));
        assert!(err("[[tokens]]\nname = \"a\"\nsha = \"abc\"").contains("TOML"));
    }
}
