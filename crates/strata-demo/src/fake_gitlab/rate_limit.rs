//! GitLab's rate-limit headers on every response, and an optional real limiter: N requests
//! per window, the window starting at its first request; beyond it, `429` with
//! `Retry-After`. <https://docs.gitlab.com/user/admin_area/settings/user_and_ip_rate_limits/>

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use chrono::{DateTime, Utc};

/// `requests` per `window`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub requests: u32,
    pub window: Duration,
}

/// What gitlab.com advertises for authenticated API traffic when no limiter is configured.
const ADVERTISED: RateLimit = RateLimit {
    requests: 2_000,
    window: Duration::from_secs(60),
};

#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    enforce: bool,
    window_start: Option<Instant>,
    observed: u32,
}

/// The limiter's answer for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub limit: u32,
    pub observed: u32,
    /// Epoch seconds when the window resets.
    pub reset_epoch: u64,
    /// Seconds to wait, when the request is refused.
    pub retry_after: Option<u64>,
}

impl RateLimiter {
    pub fn new(limit: Option<RateLimit>) -> RateLimiter {
        RateLimiter {
            limit: limit.unwrap_or(ADVERTISED),
            enforce: limit.is_some(),
            window_start: None,
            observed: 0,
        }
    }

    pub fn check(&mut self, now: Instant, wall: SystemTime) -> Verdict {
        let start = match self.window_start {
            Some(start) if now.duration_since(start) < self.limit.window => start,
            _ => {
                self.window_start = Some(now);
                self.observed = 0;
                now
            }
        };
        self.observed = self.observed.saturating_add(1);
        let left = self.limit.window.saturating_sub(now.duration_since(start));
        let wall_secs = wall
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let left_secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        let refused = self.enforce && self.observed > self.limit.requests;
        Verdict {
            limit: self.limit.requests,
            observed: self.observed,
            reset_epoch: wall_secs + left_secs,
            retry_after: refused.then_some(left_secs.max(1)),
        }
    }
}

impl Verdict {
    pub fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let reset_time = DateTime::<Utc>::from_timestamp(self.reset_epoch as i64, 0)
            .unwrap_or_default()
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        let values = [
            ("ratelimit-name", "throttle_authenticated_api".to_string()),
            ("ratelimit-limit", self.limit.to_string()),
            ("ratelimit-observed", self.observed.to_string()),
            (
                "ratelimit-remaining",
                self.limit.saturating_sub(self.observed).to_string(),
            ),
            ("ratelimit-reset", self.reset_epoch.to_string()),
            ("ratelimit-resettime", reset_time),
        ];
        for (name, value) in values {
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.insert(HeaderName::from_static(name), v);
            }
        }
        headers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_limit_until_the_window_ends() {
        let mut limiter = RateLimiter::new(Some(RateLimit {
            requests: 2,
            window: Duration::from_secs(10),
        }));
        let t0 = Instant::now();
        let wall = UNIX_EPOCH + Duration::from_secs(1_000);
        assert_eq!(limiter.check(t0, wall).retry_after, None);
        assert_eq!(limiter.check(t0, wall).retry_after, None);
        let third = limiter.check(t0 + Duration::from_secs(4), wall);
        assert_eq!(third.retry_after, Some(6));
        assert_eq!(third.observed, 3);
        let later = limiter.check(t0 + Duration::from_secs(10), wall);
        assert_eq!((later.retry_after, later.observed), (None, 1));
    }

    #[test]
    fn without_a_limit_it_only_reports() {
        let mut limiter = RateLimiter::new(None);
        let t0 = Instant::now();
        for _ in 0..2_500 {
            assert_eq!(limiter.check(t0, UNIX_EPOCH).retry_after, None);
        }
        let headers = limiter.check(t0, UNIX_EPOCH).headers();
        assert_eq!(headers["ratelimit-limit"], "2000");
        assert_eq!(headers["ratelimit-remaining"], "0");
    }
}
