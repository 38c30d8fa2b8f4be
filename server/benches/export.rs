//! Export throughput and memory: 1,000,000 `jobs` rows as CSV over HTTP from a release
//! `strata serve` on SQLite, next to `sqlite3 -csv` producing the same rows from the same
//! file in the same run.
//!
//! `cargo bench -p strata --bench export` (optionally `-- ROWS RUNS`). Prints, per run, the
//! export's rows/s and the server's peak RSS growth (VmHWM after minus VmRSS before, with
//! the peak reset through /proc/PID/clear_refs), and the medians.

#[path = "../tests/integration/export_seed/bulk.rs"]
mod bulk;

use std::{
    io::Read,
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use strata_core::{
    db::DatabaseUrl,
    read::export::kinds::{Cell, JOBS},
};

const FIRST_DAY: i64 = 20_400;
const DAYS: i64 = 90;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let rows: i64 = args.next().map_or(Ok(1_000_000), |a| a.parse())?;
    let runs: usize = args.next().map_or(Ok(5), |a| a.parse())?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("bench.db");

    let runtime = tokio::runtime::Runtime::new()?;
    let started = Instant::now();
    runtime.block_on(async {
        let db = strata_core::db::open(&DatabaseUrl::Sqlite(path.clone())).await?;
        bulk::insert_jobs(&db, rows, FIRST_DAY, DAYS).await;
        db.close().await;
        anyhow::Ok(())
    })?;
    eprintln!(
        "inserted {rows} jobs in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let server = Server::start(&path, port)?;
    let from = strata_core::model::filters::format_day(FIRST_DAY);
    let to = strata_core::model::filters::format_day(FIRST_DAY + DAYS - 1);
    let url = format!("http://127.0.0.1:{port}/export/jobs.csv?from={from}&to={to}");
    let baseline_sql = sqlite3_sql(FIRST_DAY * 86_400_000, (FIRST_DAY + DAYS) * 86_400_000);

    let (mut export_rates, mut growths, mut sqlite_rates) = (Vec::new(), Vec::new(), Vec::new());
    for run in 1..=runs {
        server.reset_peak()?;
        let before = server.status_kb("VmRSS:")?;
        let (lines, seconds) = runtime.block_on(download(&url))?;
        let peak = server.status_kb("VmHWM:")?;
        anyhow::ensure!(
            lines == rows as u64 + 1,
            "export had {lines} lines, expected {}",
            rows + 1
        );
        let growth_mb = (peak.saturating_sub(before)) as f64 / 1024.0;

        let (sqlite_lines, sqlite_seconds) = sqlite3(&path, &baseline_sql)?;
        anyhow::ensure!(sqlite_lines == lines, "sqlite3 gave {sqlite_lines} lines");

        let rate = rows as f64 / seconds;
        let sqlite_rate = rows as f64 / sqlite_seconds;
        println!(
            "run {run}: export {rate:>9.0} rows/s ({seconds:.2} s), server peak RSS +{growth_mb:.1} MB (from {:.1} MB); \
             sqlite3 -csv {sqlite_rate:>9.0} rows/s ({sqlite_seconds:.2} s)",
            before as f64 / 1024.0
        );
        export_rates.push(rate);
        growths.push(growth_mb);
        sqlite_rates.push(sqlite_rate);
    }
    let (export, sqlite) = (median(&mut export_rates), median(&mut sqlite_rates));
    println!(
        "median of {runs}: export {export:.0} rows/s, sqlite3 -csv {sqlite:.0} rows/s (export/sqlite3 = {:.2}), \
         peak RSS growth {:.1} MB (max {:.1} MB)",
        export / sqlite,
        median(&mut growths.clone()),
        growths.iter().cloned().fold(0.0, f64::max)
    );
    server.stop();
    Ok(())
}

/// Stream the body, counting lines; returns (lines, seconds).
async fn download(url: &str) -> anyhow::Result<(u64, f64)> {
    let client = reqwest::Client::new();
    let started = Instant::now();
    let mut response = client.get(url).send().await?.error_for_status()?;
    let mut lines = 0u64;
    while let Some(chunk) = response.chunk().await? {
        lines += memchr::memchr_iter(b'\n', &chunk).count() as u64;
    }
    Ok((lines, started.elapsed().as_secs_f64()))
}

/// The export's query for `sqlite3`: same rows, same joins, times formatted by SQLite.
fn sqlite3_sql(start_ms: i64, end_ms: i64) -> String {
    let columns: Vec<String> = JOBS
        .columns
        .iter()
        .map(|c| match c.cell {
            Cell::Time => format!(
                "strftime('%Y-%m-%dT%H:%M:%fZ', {} / 1000.0, 'unixepoch') AS {}",
                c.sql, c.name
            ),
            _ => format!("{} AS \"{}\"", c.sql, c.name),
        })
        .collect();
    format!(
        "SELECT {} FROM {} WHERE j.created_at_ms >= {start_ms} AND j.created_at_ms < {end_ms} ORDER BY {};",
        columns.join(", "),
        JOBS.from.replace('\n', " "),
        JOBS.order_by
    )
}

fn sqlite3(path: &std::path::Path, sql: &str) -> anyhow::Result<(u64, f64)> {
    let started = Instant::now();
    let mut child = Command::new("sqlite3")
        .args(["-csv", "-header"])
        .arg(path)
        .arg(sql)
        .stdout(Stdio::piped())
        .spawn()?;
    let mut out = child.stdout.take().expect("piped");
    let (mut lines, mut buf) = (0u64, vec![0u8; 1 << 16]);
    loop {
        let n = out.read(&mut buf)?;
        if n == 0 {
            break;
        }
        lines += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
    }
    anyhow::ensure!(child.wait()?.success(), "sqlite3 failed");
    Ok((lines, started.elapsed().as_secs_f64()))
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// `strata serve` (the release binary) as its own process, so its memory is its own.
struct Server {
    child: Child,
}

impl Server {
    fn start(db: &std::path::Path, port: u16) -> anyhow::Result<Server> {
        let child = Command::new(env!("CARGO_BIN_EXE_strata"))
            .arg("serve")
            .env("DATABASE_URL", db)
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

    fn status_kb(&self, field: &str) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let line = status
            .lines()
            .find(|l| l.starts_with(field))
            .ok_or_else(|| anyhow::anyhow!("no {field} in /proc status"))?;
        Ok(line.split_whitespace().nth(1).unwrap_or("0").parse()?)
    }

    /// Make VmHWM start again from the current RSS.
    fn reset_peak(&self) -> anyhow::Result<()> {
        std::fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5")?;
        Ok(())
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
