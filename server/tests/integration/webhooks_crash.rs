//! Durable before acknowledged: the real `strata serve` takes deliveries from several
//! clients, is killed with SIGKILL mid-stream, and restarted. Every delivery that got a 2xx
//! must be in the database, and GitLab's retry of it must be a harmless duplicate.

use crate::{support, support::webhooks as hooks};
use strata_core::on_both_backends;

use std::{
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use hooks::{SECRET, gitlab_request, job_hook, pipeline_hook};
use strata_core::{
    db::{DatabaseUrl, Db},
    with_pool,
};
use support::TestDb;

on_both_backends! {
    every_acknowledged_delivery_survives_a_sigkill => survives_sigkill;
}

const CLIENTS: i64 = 6;
/// Acknowledged deliveries to wait for before the kill: enough that the kill lands while
/// every client has requests in flight.
const ACKED_BEFORE_KILL: usize = 150;

fn database_url(url: &DatabaseUrl) -> String {
    match url {
        DatabaseUrl::Sqlite(path) => path.display().to_string(),
        DatabaseUrl::Postgres(url) => url.clone(),
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn serve(database: &str, addr: &str, dir: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_strata"))
        .arg("serve")
        .current_dir(dir)
        .env("DATABASE_URL", database)
        .env("STRATA_LISTEN", addr)
        .env("STRATA_WEBHOOK_SECRET", SECRET)
        .env_remove("GITLAB_TOKEN")
        .env_remove("GITLAB_URL")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start strata serve")
}

async fn wait_until_up(client: &reqwest::Client, addr: &str, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = client.get(format!("http://{addr}/healthz")).send().await
            && r.status().is_success()
        {
            return;
        }
        assert!(child.try_wait().unwrap().is_none(), "strata serve exited");
        assert!(Instant::now() < deadline, "strata serve did not come up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One delivery: its key, event and body.
type Sent = (String, &'static str, Vec<u8>, i64);

/// The `n`th delivery of client `c`: a Pipeline Hook, then a Job Hook for a job it did not
/// list. The last field is the job that must exist once the delivery is acknowledged.
fn delivery(c: i64, n: i64) -> Sent {
    let pipeline = c * 1_000_000 + n / 2;
    let project = 1 + c % 2;
    if n % 2 == 0 {
        let jobs = [pipeline * 10, pipeline * 10 + 1];
        let body = pipeline_hook(project, pipeline, &jobs, "success");
        (
            format!("c{c}-{n}"),
            "Pipeline Hook",
            serde_json::to_vec(&body).unwrap(),
            jobs[1],
        )
    } else {
        let job = pipeline * 10 + 2;
        let body = job_hook(project, pipeline, job, "failed");
        (
            format!("c{c}-{n}"),
            "Job Hook",
            serde_json::to_vec(&body).unwrap(),
            job,
        )
    }
}

async fn stored(db: &Db, key: &str, job_id: i64) -> bool {
    const SQL: &str = "SELECT
        (SELECT COUNT(*) FROM webhook_deliveries WHERE delivery_key = $1)
      + (SELECT COUNT(*) FROM jobs WHERE id = $2 AND status IN ('success', 'failed'))";
    let key = format!("idempotency:{key}");
    let n: i64 = with_pool!(db.pool(), p => sqlx::query_scalar(SQL).bind(key).bind(job_id).fetch_one(p).await).unwrap();
    n == 2
}

async fn survives_sigkill(t: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let database = database_url(&t.url);
    let addr = format!("127.0.0.1:{}", free_port());
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut child = serve(&database, &addr, dir.path());
    wait_until_up(&client, &addr, &mut child).await;

    let acked: Arc<Mutex<Vec<Sent>>> = Arc::default();
    let (enough_tx, mut enough_rx) = tokio::sync::watch::channel(false);
    let enough_tx = Arc::new(enough_tx);
    let url = format!("http://{addr}{}", hooks::PATH);
    let mut clients = Vec::new();
    for c in 0..CLIENTS {
        let (client, url, acked, enough) = (
            client.clone(),
            url.clone(),
            acked.clone(),
            enough_tx.clone(),
        );
        clients.push(tokio::spawn(async move {
            for n in 0i64.. {
                let sent = delivery(c, n);
                let request =
                    gitlab_request(&client, &url, sent.1, Some(sent.0.as_str()), sent.2.clone());
                match request.send().await {
                    Ok(r) if r.status().is_success() => {
                        let mut acked = acked.lock().unwrap();
                        acked.push(sent);
                        if acked.len() >= ACKED_BEFORE_KILL {
                            enough.send_replace(true);
                        }
                    }
                    Ok(r) => panic!("delivery {} refused: {}", sent.0, r.status()),
                    // The server is gone: what was not acknowledged GitLab would retry.
                    Err(_) => return,
                }
            }
        }));
    }
    enough_rx.wait_for(|&enough| enough).await.unwrap();
    child.kill().expect("SIGKILL strata serve");
    child.wait().unwrap();
    for c in clients {
        c.await.unwrap();
    }
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    assert!(acked.len() >= ACKED_BEFORE_KILL);

    let mut child = serve(&database, &addr, dir.path());
    wait_until_up(&client, &addr, &mut child).await;
    let mut missing = Vec::new();
    for (key, _, _, job) in &acked {
        if !stored(&t.db, key, *job).await {
            missing.push(key.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "{} acknowledged deliveries lost: {missing:?}",
        missing.len()
    );
    // GitLab retries what it saw no answer for, and may retry what it did: each acknowledged
    // delivery comes back as a duplicate and changes nothing.
    for (key, event, body, _) in acked.iter().take(20) {
        let r = gitlab_request(&client, &url, event, Some(key.as_str()), body.clone())
            .send()
            .await
            .unwrap();
        let reply: serde_json::Value = r.json().await.unwrap();
        assert_eq!(reply["status"], "duplicate", "{key}");
    }
    const DELIVERIES: &str = "SELECT COUNT(*) FROM webhook_deliveries";
    let total: i64 =
        with_pool!(t.db.pool(), p => sqlx::query_scalar(DELIVERIES).fetch_one(p).await).unwrap();
    assert!(
        total as usize >= acked.len(),
        "{total} stored < {} acknowledged",
        acked.len()
    );
    child.kill().unwrap();
    child.wait().unwrap();
}
