//! 200 sign-in attempts at once with wrong passwords, against the real `strata` binary with
//! STRATA_AUTH, watching its resident memory; next to the baseline measured in the same run:
//! the same 200 argon2 checks run the way sign-in ran them before throttling (each on the
//! unbounded blocking pool at once), in this process.
//!
//! Two floods: from one client (an attacker guessing one account) and from 200 addresses
//! and 200 user names (a distributed guess, which the per-key throttle cannot see at first;
//! the bound on concurrent checks holds memory then).
//!
//! Run: `cargo bench -p strata --bench login_flood` (ATTEMPTS overrides 200).

use std::{
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use strata::auth::secrets;

const PASSWORD: &str = "correct horse battery staple";

fn attempts() -> usize {
    std::env::var("ATTEMPTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

/// Resident memory of `pid` (kB → MiB); `field` is VmRSS or VmHWM.
fn memory_mib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

/// Samples `pid`'s VmRSS every 5 ms until stopped; the highest value seen.
fn sample_peak(pid: u32) -> (Arc<AtomicBool>, std::thread::JoinHandle<u64>) {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let handle = std::thread::spawn(move || {
        let mut peak = 0;
        while !flag.load(Ordering::Relaxed) {
            peak = peak.max(memory_mib(pid, "VmRSS:"));
            std::thread::sleep(Duration::from_millis(5));
        }
        peak
    });
    (stop, handle)
}

/// The old sign-in path: every check on the blocking pool at once.
async fn baseline(hash: &str, n: usize) -> (u64, u64, Duration) {
    let pid = std::process::id();
    let before = memory_mib(pid, "VmRSS:");
    let (stop, sampler) = sample_peak(pid);
    let started = Instant::now();
    let checks: Vec<_> = (0..n)
        .map(|_| {
            let hash = hash.to_owned();
            tokio::task::spawn_blocking(move || secrets::verify_password("wrong", &hash))
        })
        .collect();
    for check in checks {
        assert!(!check.await.unwrap());
    }
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    (before, sampler.join().unwrap(), elapsed)
}

struct Server {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(hash: &str) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let auth = dir.path().join("auth.toml");
    std::fs::write(
        &auth,
        format!("[[users]]\nname = \"alice\"\npassword_hash = \"{hash}\"\n"),
    )
    .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_strata"))
        .arg("serve")
        .current_dir(dir.path())
        .env("DATABASE_URL", dir.path().join("strata.db"))
        .env("STRATA_LISTEN", format!("127.0.0.1:{port}"))
        .env("STRATA_AUTH", &auth)
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Server {
        child,
        url,
        _dir: dir,
    }
}

/// One sign-in: the form (for its CSRF cookie and token), then the wrong password.
async fn attempt(client: &reqwest::Client, url: &str, user: &str, from: &str) -> u16 {
    let form = client.get(format!("{url}/login")).send().await.unwrap();
    let cookie = form
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("strata_csrf="))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();
    let token = cookie.trim_start_matches("strata_csrf=").to_owned();
    client
        .post(format!("{url}/login"))
        .header("cookie", cookie)
        .header("origin", url)
        .header("x-forwarded-for", from)
        .form(&[
            ("username", user),
            ("password", "wrong"),
            ("csrf", token.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn flood(server: &Server, n: usize, distributed: bool) -> (u64, u64, [usize; 3], Duration) {
    let pid = server.child.id();
    let before = memory_mib(pid, "VmRSS:");
    let (stop, sampler) = sample_peak(pid);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let started = Instant::now();
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let client = client.clone();
            let url = server.url.clone();
            tokio::spawn(async move {
                let (user, from) = if distributed {
                    (
                        format!("user-{i}"),
                        format!("198.51.{}.{}", i / 250, i % 250 + 1),
                    )
                } else {
                    ("alice".to_owned(), "203.0.113.7".to_owned())
                };
                attempt(&client, &url, &user, &from).await
            })
        })
        .collect();
    let (wrong, refused, other) = (AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0));
    for task in tasks {
        match task.await.unwrap() {
            401 => wrong.fetch_add(1, Ordering::Relaxed),
            429 => refused.fetch_add(1, Ordering::Relaxed),
            _ => other.fetch_add(1, Ordering::Relaxed),
        };
    }
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let counts = [&wrong, &refused, &other].map(|c| c.load(Ordering::Relaxed) as usize);
    (before, sampler.join().unwrap(), counts, elapsed)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let n = attempts();
    let hash = secrets::hash_password(PASSWORD).unwrap();
    println!("login_flood: {n} sign-in attempts with a wrong password, all at once");

    let (before, peak, elapsed) = baseline(&hash, n).await;
    println!(
        "  baseline, {n} argon2 checks at once on the blocking pool (sign-in before throttling): \
         RSS {before} MiB before, peak {peak} MiB (+{} MiB), {:.1} s",
        peak.saturating_sub(before),
        elapsed.as_secs_f64()
    );

    for distributed in [false, true] {
        let server = start_server(&hash);
        let (before, peak, [wrong, refused, other], elapsed) = flood(&server, n, distributed).await;
        let hwm = memory_mib(server.child.id(), "VmHWM:");
        println!(
            "  strata serve, {}: RSS {before} MiB idle, peak {peak} MiB (VmHWM {hwm} MiB); \
             {wrong} × 401 (checked), {refused} × 429 (throttled or busy), {other} other; {:.1} s",
            if distributed {
                "200 addresses and user names"
            } else {
                "one address, one user name"
            },
            elapsed.as_secs_f64()
        );
        assert!(hwm < 300, "the server's peak RSS was {hwm} MiB");
        assert!(refused > 0, "no attempt was refused");
        assert_eq!(other, 0);
    }
}
