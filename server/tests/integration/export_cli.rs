//! `strata export` writes what `/export/KIND.csv` serves, from the same producer.

use crate::{export_seed, support};
use strata_core::on_both_backends;

use std::process::Command;

use support::{TestApp, TestDb, test_settings};

on_both_backends! {
    the_command_line_writes_the_same_csv_as_http => same_as_http;
}

const BIN: &str = env!("CARGO_BIN_EXE_strata");

fn strata(t: &TestDb, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        // The test databases have no password, so the redacted URL is the URL.
        .env("DATABASE_URL", t.url.redacted())
        .env("RUST_LOG", "warn")
        .output()
        .expect("run strata")
}

async fn same_as_http(t: TestDb) {
    export_seed::seed(&t.db).await;
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    let dir = tempfile::tempdir().unwrap();
    for (kind, flags, query) in [
        (
            "jobs",
            vec![
                "--from",
                "2024-10-04",
                "--to",
                "2024-10-07",
                "--status",
                "failed",
            ],
            "from=2024-10-04&to=2024-10-07&status=failed",
        ),
        (
            "daily",
            vec![
                "--from",
                "2024-10-04",
                "--to",
                "2024-10-07",
                "--project",
                "1",
            ],
            "from=2024-10-04&to=2024-10-07&project=1",
        ),
        (
            "phases",
            vec!["--project", "1", "--pipeline", "999"],
            "project=1&pipeline=999",
        ),
    ] {
        let http = app
            .get(&format!("/export/{kind}.csv?{query}"))
            .await
            .bytes()
            .await
            .unwrap();
        let file = dir.path().join(format!("{kind}.csv"));
        let mut args = vec!["export", kind];
        args.extend(&flags);
        args.extend(["-o", file.to_str().unwrap()]);
        let out = strata(&t, &args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            std::fs::read(&file).unwrap(),
            http.to_vec(),
            "{kind} to a file"
        );
        let mut args = vec!["export", kind];
        args.extend(&flags);
        let out = strata(&t, &args);
        assert!(out.status.success());
        assert_eq!(out.stdout, http.to_vec(), "{kind} to stdout");
    }

    for (args, expected) in [
        (vec!["export", "jobs", "--period", "1y"], "--period"),
        (vec!["export", "daily", "--pipeline", "5"], "--pipeline"),
        (vec!["export", "timings"], "impact"),
        (
            vec!["export", "jobs", "--project", "404"],
            "no project with id 404",
        ),
    ] {
        let out = strata(&t, &args);
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
        assert_eq!(errors.len(), 1, "{stderr}");
        assert!(errors[0].contains(expected), "{stderr}");
    }
    assert!(
        !dir.path().join("jobs.csv.partial").exists(),
        "no partial file is left behind"
    );
    app.stop().await;
}
