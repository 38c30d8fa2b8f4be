//! The cast: who pushes, which runners exist, what commits are called.

use super::model::{Runner, User};

pub const USERS: [User; 6] = [
    User {
        id: 1_204,
        username: "amira.haddad",
        name: "Amira Haddad",
    },
    User {
        id: 1_377,
        username: "jonas.berg",
        name: "Jonas Berg",
    },
    User {
        id: 2_015,
        username: "li.wei",
        name: "Li Wei",
    },
    User {
        id: 2_230,
        username: "sofia.marquez",
        name: "Sofia Márquez",
    },
    User {
        id: 3_118,
        username: "tomasz.nowak",
        name: "Tomasz Nowak",
    },
    User {
        id: 3_402,
        username: "grace.okafor",
        name: "Grace Okafor",
    },
];

/// The owner of the nightly pipeline schedules.
pub const SCHEDULER: User = User {
    id: 9_001,
    username: "release-bot",
    name: "Release Bot",
};

pub const COMMIT_TITLES: &[&str] = &[
    "Fix flaky login redirect test",
    "Bump vite from 5.4.9 to 5.4.10",
    "Add CSV export for the reports table",
    "Cache the user lookup in the session middleware",
    "Refactor the pricing module into smaller files",
    "Update Node.js to 20.18",
    "Handle empty search results in the API",
    "Remove the unused feature flag for dark mode",
    "Speed up the image resize worker",
    "Add healthcheck endpoint for the load balancer",
    "Translate the settings page",
    "Retry uploads when the storage returns 503",
    "Merge branch 'feature/audit-log' into 'main'",
    "Tighten the Content-Security-Policy header",
    "Document the release process",
    "Lower the log level of the polling loop",
];

/// Instance runners on a recent GitLab Runner, with `FF_TIMESTAMPS` on.
pub static AUTOSCALER_RUNNERS: [Runner; 3] = [
    runner(
        48_113,
        "docker-autoscaler-1.ci.example.com",
        "zxW3Nq7V",
        "s_4b2f0e1c9a7d",
        "10.0.12.21",
    ),
    runner(
        48_114,
        "docker-autoscaler-2.ci.example.com",
        "Kp8sLm2D",
        "s_9e31aa04b6f2",
        "10.0.12.22",
    ),
    runner(
        48_117,
        "docker-autoscaler-3.ci.example.com",
        "Yt5vQw9R",
        "s_1c7d53e8f0a9",
        "10.0.12.23",
    ),
];

/// Older instance runners, without per-line timestamps.
pub static LEGACY_RUNNERS: [Runner; 2] = [
    Runner {
        version: "16.11.1",
        revision: "535ced5f",
        executor: "docker",
        ..runner(
            31_002,
            "shared-docker-01",
            "hG7cV2xA",
            "s_72ad19c03be4",
            "10.0.8.14",
        )
    },
    Runner {
        version: "16.11.1",
        revision: "535ced5f",
        executor: "docker",
        ..runner(
            31_005,
            "shared-docker-02",
            "bN4kE8uT",
            "s_e06f4a7712c5",
            "10.0.8.15",
        )
    },
];

/// The one project runner with the `arm64` tag.
pub static ARM64_RUNNERS: [Runner; 1] = [Runner {
    is_shared: false,
    executor: "docker",
    ..runner(
        50_210,
        "arm64-small-1",
        "Rq2mW6pZ",
        "s_5fd0c2b19e83",
        "10.0.20.7",
    )
}];

const fn runner(
    id: i64,
    description: &'static str,
    short_token: &'static str,
    system_id: &'static str,
    ip_address: &'static str,
) -> Runner {
    Runner {
        id,
        description,
        short_token,
        system_id,
        executor: "docker-autoscaler",
        version: "17.5.3",
        revision: "12030cf4",
        is_shared: true,
        ip_address,
    }
}
