//! Exports stream: chunks of about 64 KiB, never more than a few ahead of the reader, and a
//! reader that goes away stops the query instead of letting it run to the end.

use crate::{export_seed, support};
use strata_core::on_both_backends;

use futures::StreamExt;
use strata::export::{self, Export, Kind, Scope};
use strata_core::model::filters::{Filters, Window};
use support::{TestApp, TestDb, test_settings};

on_both_backends! {
    a_reader_that_stops_stops_the_export => reader_stops_export;
    a_python_csv_reader_reads_what_the_csv_crate_reads => python_reads_the_same;
}

const JOBS: i64 = 20_000;
const FIRST_DAY: i64 = 20_000;

fn jobs_export() -> Export {
    Export {
        kind: Kind::Jobs,
        scope: Scope {
            filters: Filters {
                window: Window::Days {
                    from: FIRST_DAY,
                    to: FIRST_DAY + 9,
                },
                ..Filters::default()
            },
            pipeline: None,
        },
    }
}

async fn reader_stops_export(t: TestDb) {
    export_seed::bulk::insert_jobs(&t.db, JOBS, FIRST_DAY, 10).await;

    // Read everything: every row arrives, in chunks of about 64 KiB.
    let mut chunks = export::start(t.db.clone(), jobs_export(), 0);
    let (mut lines, mut sizes) = (0, Vec::new());
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.unwrap();
        lines += chunk.iter().filter(|&&b| b == b'\n').count();
        sizes.push(chunk.len());
    }
    assert_eq!(lines as i64, JOBS + 1, "header and every job");
    assert!(sizes.len() > 20, "{} chunks", sizes.len());
    let (last, full) = sizes.split_last().unwrap();
    assert!(
        full.iter().all(|&s| (64 * 1024..80 * 1024).contains(&s)),
        "{sizes:?}"
    );
    assert!(*last <= 80 * 1024);

    // Read one chunk and go away: the export stops a few chunks later, not at the end.
    let mut chunks = export::start(t.db.clone(), jobs_export(), 0);
    let first = chunks.next().await.unwrap().unwrap();
    let rows_per_chunk = first.iter().filter(|&&b| b == b'\n').count() as u64;
    let written = chunks.stop().await;
    assert!(
        written <= rows_per_chunk * 8,
        "stopped after {written} rows ({rows_per_chunk} per chunk)"
    );
    assert!((written as i64) < JOBS / 2);
}

/// Python's `csv` module must read the file as the `csv` crate does (RFC 4180, UTF-8, CRLF).
async fn python_reads_the_same(t: TestDb) {
    let Some(python) = python3() else { return };
    export_seed::seed(&t.db).await;
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    for kind in ["jobs", "docker-steps", "daily"] {
        let path = format!("/export/{kind}.csv?{}", export_seed::window_query());
        let body = app.get(&path).await.bytes().await.unwrap();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&body[..]);
        let rust: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        let py = python_rows(&python, &body);
        assert_eq!(py, rust, "{kind}");
        assert!(rust.len() > 2, "{kind}");
        assert!(
            rust.iter().flatten().any(|cell| cell.contains('\n')) || kind != "jobs",
            "the seed's multi-line job name is in the file"
        );
    }
    app.stop().await;
}

fn python3() -> Option<String> {
    let found = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some("python3".into());
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "python3 is needed in CI"
    );
    eprintln!("skipped: python3 is not installed");
    None
}

fn python_rows(python: &str, body: &[u8]) -> Vec<Vec<String>> {
    use std::io::Write;
    const SCRIPT: &str = "import csv, io, json, sys
text = sys.stdin.buffer.read().decode('utf-8')
json.dump(list(csv.reader(io.StringIO(text, newline=''), strict=True)), sys.stdout)";
    let mut child = std::process::Command::new(python)
        .args(["-c", SCRIPT])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(body).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "python failed");
    serde_json::from_slice(&out.stdout).unwrap()
}
