//! The `strata` binary as an operator meets it: one-line errors that say what to fix,
//! secrets kept out of logs, a clean stop on SIGTERM.

use std::{
    io::Read,
    net::TcpListener,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

const BIN: &str = env!("CARGO_BIN_EXE_strata");

fn strata(args: &[&str], dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("STRATA_LISTEN")
        .env_remove("GITLAB_TOKEN")
        .env_remove("GITLAB_URL")
        .env_remove("STRATA_WEBHOOK_SECRET")
        .env("RUST_LOG", "info");
    cmd
}

/// The error a failed command printed, which must be exactly one line starting `error:`.
fn one_line_error(mut cmd: Command) -> String {
    let out = cmd.output().expect("run strata");
    assert!(
        !out.status.success(),
        "expected failure, got {:?}",
        out.status
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "one error line expected in:\n{stderr}");
    errors[0].to_owned()
}

#[test]
fn an_unsupported_database_url_says_which_forms_work() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = strata(&["migrate"], dir.path());
    cmd.env("DATABASE_URL", "mysql://root:pw@localhost/strata");
    let line = one_line_error(cmd);
    assert!(
        line.contains("`mysql`") && line.contains("postgres://"),
        "{line}"
    );
    assert!(!line.contains("pw@"), "password leaked: {line}");
}

#[test]
fn an_unreachable_database_says_so_and_hides_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut cmd = strata(&["serve"], dir.path());
    cmd.env(
        "DATABASE_URL",
        format!("postgres://strata:hunter2@127.0.0.1:{port}/strata"),
    )
    .env("STRATA_LISTEN", format!("127.0.0.1:{}", free_port()));
    let line = one_line_error(cmd);
    assert!(line.contains("cannot open database"), "{line}");
    assert!(line.contains("DATABASE_URL"), "{line}");
    assert!(!line.contains("hunter2"), "{line}");

    // libpq also takes the password as a query parameter.
    let mut cmd = strata(&["serve"], dir.path());
    cmd.env(
        "DATABASE_URL",
        format!("postgres://bob@127.0.0.1:{port}/strata?sslmode=disable&password=hunter3"),
    )
    .env("STRATA_LISTEN", format!("127.0.0.1:{}", free_port()));
    let line = one_line_error(cmd);
    assert!(line.contains("cannot open database"), "{line}");
    assert!(!line.contains("hunter3"), "{line}");
    assert!(line.contains("password=***"), "{line}");
}

#[test]
fn a_port_in_use_names_the_address_and_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let mut cmd = strata(&["serve"], dir.path());
    cmd.env("STRATA_LISTEN", &addr);
    let line = one_line_error(cmd);
    assert!(
        line.contains(&addr) && line.contains("STRATA_LISTEN"),
        "{line}"
    );
}

#[test]
fn migrate_creates_the_default_sqlite_file_in_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = strata(&["migrate"], dir.path()).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("strata.db").is_file());
    // Twice is fine: nothing left to apply.
    assert!(strata(&["migrate"], dir.path()).status().unwrap().success());
}

#[test]
fn serve_starts_keeps_secrets_out_of_its_output_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let addr = format!("127.0.0.1:{}", free_port());
    let mut child = strata(&["serve"], dir.path())
        .env("STRATA_LISTEN", &addr)
        .env("GITLAB_TOKEN", "glpat-secret-token-value")
        .env("STRATA_WEBHOOK_SECRET", "webhook-secret-value")
        .env("RUST_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    let page = wait_for_http(&addr, "/").expect("server came up");
    assert!(!page.contains("glpat-secret-token-value") && !page.contains("webhook-secret-value"));
    let health = wait_for_http(&addr, "/healthz").unwrap();
    assert!(health.contains("\"ok\""), "{health}");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            Instant::now() < deadline,
            "strata did not stop within 15 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "graceful stop exits 0, got {exit:?}");

    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    assert!(logs.contains("strata is listening"), "{logs}");
    assert!(logs.contains("shutting down"), "{logs}");
    for secret in ["glpat-secret-token-value", "webhook-secret-value"] {
        assert!(!logs.contains(secret), "{secret} appeared in the logs");
    }
    assert!(dir.path().join("strata.db").is_file());
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// GET a path over plain HTTP/1.0 until the server answers 200 (or 20 s pass).
fn wait_for_http(addr: &str, path: &str) -> Option<String> {
    use std::io::Write;
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(mut stream) = std::net::TcpStream::connect(addr) {
            let _ = write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n");
            let mut response = String::new();
            if stream.read_to_string(&mut response).is_ok() && response.starts_with("HTTP/1.0 200")
            {
                return Some(response);
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    None
}

#[test]
fn analyze_log_prints_a_breakdown_and_json_from_a_file_or_stdin() {
    let Some(dir) = fixtures_dir() else { return };
    let log = dir.join("traces/gitlab-exporter_job_logs_test_timestamped_esc-stripped.log");
    let text = Command::new(BIN)
        .args(["analyze-log"])
        .arg(&log)
        .output()
        .unwrap();
    assert!(text.status.success());
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("restore_cache") && text.contains("v0-23-0-protected"),
        "{text}"
    );

    let mut child = Command::new(BIN)
        .args(["analyze-log", "-", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(&std::fs::read(&log).unwrap()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["log"]["timestamped"], true);
    assert_eq!(json["cache_ops"][0]["outcome"], "hit");
    assert_eq!(json["phases"].as_array().unwrap().len(), 6);
}

#[test]
fn analyze_log_names_a_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let line = one_line_error({
        let mut cmd = strata(&["analyze-log", "no-such.log"], dir.path());
        cmd.current_dir(dir.path());
        cmd
    });
    assert!(line.contains("no-such.log"), "{line}");
}

fn fixtures_dir() -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("STRATA_FIXTURES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../shared/fixtures"
            ))
        });
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "fixtures missing at {}",
        dir.display()
    );
    eprintln!("skipped: fixtures not found at {}", dir.display());
    None
}

#[test]
fn demo_load_only_syncs_and_analyses_the_fake_gitlab_then_exits() {
    let dir = tempfile::tempdir().unwrap();
    let out = strata(
        &[
            "demo",
            "--load-only",
            "--days",
            "10",
            "--pipelines-per-project",
            "8",
            "--until",
            "2026-11-20T10:00:00Z",
        ],
        dir.path(),
    )
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("projects   5 (0 failed)"), "{stderr}");
    assert!(stderr.contains("0 failed, 0 left for later"), "{stderr}");

    // Run again: the sync is idempotent, nothing new or changed.
    let again = strata(
        &[
            "demo",
            "--load-only",
            "--days",
            "10",
            "--pipelines-per-project",
            "8",
            "--until",
            "2026-11-20T10:00:00Z",
        ],
        dir.path(),
    )
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{stderr}");
    assert!(
        stderr.contains("0 new, 0 updated"),
        "a second load within the hour changes nothing: {stderr}"
    );
    assert!(dir.path().join("strata.db").exists());
}
