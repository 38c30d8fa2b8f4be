//! The shared-secret check: GitLab sends the hook's secret token in `X-Gitlab-Token`.
//!
//! Both sides are hashed before the constant-time comparison, so neither the content nor the
//! length of the secret leaks through timing.

use axum::http::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub const TOKEN_HEADER: &str = "x-gitlab-token";

/// Why a delivery was not let in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthError {
    /// This instance has no secret: every delivery is refused until one is set.
    NoSecretConfigured,
    MissingToken,
    WrongToken,
}

/// The configured secret, kept as its digest so requests compare digests only.
#[derive(Clone)]
pub struct Secret {
    digest: [u8; 32],
}

impl Secret {
    pub fn new(secret: &SecretString) -> Secret {
        Secret {
            digest: Sha256::digest(secret.expose_secret().as_bytes()).into(),
        }
    }
}

// Never print even the digest.
impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

pub fn verify(secret: Option<&Secret>, headers: &HeaderMap) -> Result<(), AuthError> {
    let secret = secret.ok_or(AuthError::NoSecretConfigured)?;
    let mut tokens = headers.get_all(TOKEN_HEADER).iter();
    let token = tokens.next().ok_or(AuthError::MissingToken)?.as_bytes();
    // Two tokens are ambiguous: refuse rather than pick one.
    if tokens.next().is_some() {
        return Err(AuthError::WrongToken);
    }
    let offered: [u8; 32] = Sha256::digest(token).into();
    if bool::from(offered[..].ct_eq(&secret.digest[..])) {
        Ok(())
    } else {
        Err(AuthError::WrongToken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(token: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(t) = token {
            h.insert(TOKEN_HEADER, t.parse().unwrap());
        }
        h
    }

    #[test]
    fn only_the_exact_token_passes() {
        let secret = Secret::new(&SecretString::from("s3cret"));
        assert_eq!(verify(Some(&secret), &headers(Some("s3cret"))), Ok(()));
        for wrong in ["s3cre", "s3cret ", "S3CRET", ""] {
            assert_eq!(
                verify(Some(&secret), &headers(Some(wrong))),
                Err(AuthError::WrongToken),
                "{wrong:?}"
            );
        }
        assert_eq!(
            verify(Some(&secret), &headers(None)),
            Err(AuthError::MissingToken)
        );
        assert_eq!(
            verify(None, &headers(Some("s3cret"))),
            Err(AuthError::NoSecretConfigured)
        );
        assert!(!format!("{secret:?}").contains("s3cret"));
    }
}
