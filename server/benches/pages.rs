//! Dashboard render time at scale: a demo dataset of about 1,000,000 jobs (the five demo
//! scenarios, ~167,000 pipelines over 90 days, every log analysed) loaded into SQLite through
//! the store, then the overview and project pages rendered by a release `strata serve`
//! (full server-side render, every query included), next to the heaviest query of each page
//! run alone in the `sqlite3` shell on the same file.
//!
//! `cargo bench -p strata --bench pages` (optionally `-- PIPELINES_PER_PROJECT RUNS`). The first
//! render of each page is reported on its own: it computes the Impact reports that the
//! following renders reuse. A second table renders the overview right after new data (every
//! project's data version bumped, as the rollup refresher does under steady ingest), with
//! `STRATA_IMPACT_MAX_STALE=0s` (every report computed before the answer: the baseline) and
//! with the default 5m (the earlier report served, the new one computed in the background).
//! Reuses the loaded database in $STRATA_BENCH_DB if it exists (loading takes minutes).

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use strata_core::db::DatabaseUrl;
use strata_demo::{Dataset, DemoConfig, store_load};

const DAY_MS: i64 = 86_400_000;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let per_project: u32 = args.next().map_or(Ok(39_200), |a| a.parse())?;
    let runs: usize = args.next().map_or(Ok(40), |a| a.parse())?;
    let dir = tempfile::tempdir()?;
    let path = std::env::var_os("STRATA_BENCH_DB")
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.path().join("pages.db"));

    let runtime = tokio::runtime::Runtime::new()?;
    if !path.exists() {
        let started = Instant::now();
        let now = Utc::now();
        let hour =
            DateTime::from_timestamp(now.timestamp() - now.timestamp() % 3600, 0).unwrap_or(now);
        let mut config = DemoConfig::new(hour);
        config.pipelines_per_project = per_project;
        let loaded = runtime.block_on(async {
            let db = strata_core::db::open(&DatabaseUrl::Sqlite(path.clone())).await?;
            let loaded = store_load::load(&db, &Dataset::generate(&config)).await?;
            db.close().await;
            anyhow::Ok(loaded)
        })?;
        eprintln!(
            "loaded {} pipelines, {} jobs, {} logs analysed in {:.0} s",
            loaded.pipelines,
            loaded.jobs,
            loaded.logs,
            started.elapsed().as_secs_f64()
        );
    }
    let jobs = sqlite3_time(&path, "SELECT COUNT(*) FROM jobs;")?.1;
    println!("database: {} ({jobs} jobs)", path.display());

    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let server = Server::start(&path, port, "5m")?;
    let today = Utc::now().timestamp_millis().div_euclid(DAY_MS);
    let (from, to) = (today - 29, today);
    let pages = [
        (
            "overview",
            "/".to_owned(),
            // The overview's widest read: every project's pipeline sketches over the window.
            format!(
                "SELECT CAST(d.project_id AS TEXT), d.status, d.runs, d.duration_sketch FROM pipeline_daily d WHERE d.day >= {from} AND d.day <= {to};"
            ),
        ),
        (
            "project",
            "/projects/101".to_owned(),
            // The project page's widest read: job-name sketches over the window.
            format!(
                "SELECT CAST(d.job_name AS TEXT), d.status, d.runs, d.duration_sketch FROM job_daily d WHERE d.project_id = 101 AND d.day >= {from} AND d.day <= {to};"
            ),
        ),
    ];

    println!(
        "| page | first render | render p50 | render p95 | heaviest query in sqlite3, p50 | render / query (p50) |"
    );
    println!("|---|---|---|---|---|---|");
    let client = reqwest::Client::new();
    for (name, url_path, sql) in pages {
        let url = format!("http://127.0.0.1:{port}{url_path}");
        let (mut renders, mut queries) = (Vec::new(), Vec::new());
        // The first render fills SQLite's page cache and computes the Impact reports, which
        // later renders reuse while the data does not change (strata_core::read::impact::memo).
        let first = runtime.block_on(fetch(&client, &url))?;
        for _ in 0..runs {
            renders.push(runtime.block_on(fetch(&client, &url))?);
            queries.push(sqlite3_time(&path, &sql)?.0);
        }
        let (r50, r95) = (
            percentile(&mut renders, 0.5),
            percentile(&mut renders, 0.95),
        );
        let q50 = percentile(&mut queries, 0.5);
        println!(
            "| {name} `{url_path}` | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms | {:.2} |",
            first * 1e3,
            r50 * 1e3,
            r95 * 1e3,
            q50 * 1e3,
            r50 / q50
        );
    }
    server.stop();

    println!();
    println!("| overview `/` right after new data | render p50 | render p95 | max |");
    println!("|---|---|---|---|");
    for max_stale in ["0s", "5m"] {
        let server = Server::start(&path, port, max_stale)?;
        let url = format!("http://127.0.0.1:{port}/");
        runtime.block_on(fetch(&client, &url))?;
        let mut renders = Vec::new();
        for _ in 0..runs {
            sqlite3_time(
                &path,
                "UPDATE projects SET data_version = data_version + 1;",
            )?;
            renders.push(runtime.block_on(fetch(&client, &url))?);
        }
        let (r50, r95, max) = (
            percentile(&mut renders, 0.5),
            percentile(&mut renders, 0.95),
            percentile(&mut renders, 1.0),
        );
        println!(
            "| STRATA_IMPACT_MAX_STALE={max_stale} | {:.1} ms | {:.1} ms | {:.1} ms |",
            r50 * 1e3,
            r95 * 1e3,
            max * 1e3
        );
        server.stop();
    }
    Ok(())
}

async fn fetch(client: &reqwest::Client, url: &str) -> anyhow::Result<f64> {
    let started = Instant::now();
    let response = client.get(url).send().await?;
    anyhow::ensure!(
        response.status().is_success(),
        "{url}: {}",
        response.status()
    );
    let body = response.text().await?;
    anyhow::ensure!(
        !body.contains("error running server function"),
        "{url} rendered an error"
    );
    Ok(started.elapsed().as_secs_f64())
}

/// Seconds `sqlite3` took (process start included, as a user would see it) and its output.
fn sqlite3_time(path: &Path, sql: &str) -> anyhow::Result<(f64, String)> {
    let started = Instant::now();
    let out = Command::new("sqlite3").arg(path).arg(sql).output()?;
    anyhow::ensure!(
        out.status.success(),
        "sqlite3 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seconds = started.elapsed().as_secs_f64();
    let text = String::from_utf8_lossy(&out.stdout);
    Ok((seconds, text.lines().next().unwrap_or("").to_owned()))
}

fn percentile(values: &mut [f64], q: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let rank = ((values.len() as f64 - 1.0) * q).round() as usize;
    values[rank]
}

/// `strata serve` (the release binary) as its own process.
struct Server {
    child: Child,
}

impl Server {
    fn start(db: &Path, port: u16, impact_max_stale: &str) -> anyhow::Result<Server> {
        let child = Command::new(env!("CARGO_BIN_EXE_strata"))
            .arg("serve")
            .env("DATABASE_URL", db)
            .env("STRATA_IMPACT_MAX_STALE", impact_max_stale)
            .env("STRATA_LISTEN", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()?;
        let server = Server { child };
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            anyhow::ensure!(Instant::now() < deadline, "strata serve did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(server)
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
