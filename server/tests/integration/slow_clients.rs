//! Clients that hold connections open (slowloris): a half-sent header or body is cut off
//! after its timeout, and past the connection limit new connections wait instead of piling
//! up. A half-sent header once stayed open 70 s, a half-sent sign-in body 40 s.

use std::time::Duration;

use strata::config::OpsSettings;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    time::timeout,
};

use crate::support::{TestApp, TestDb, test_settings};

/// Longer than the server's 10 s header and body timeouts, with room for a loaded machine.
const CUT_OFF_WITHIN: Duration = Duration::from_secs(20);

/// Read until the server answers or closes; what it sent.
async fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    answer
}

#[tokio::test]
async fn a_half_sent_header_is_cut_off() {
    let t = TestDb::sqlite().await;
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let answer = timeout(CUT_OFF_WITHIN, read_to_close(&mut stream))
        .await
        .expect("the connection stayed open");
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_half_sent_body_is_cut_off() {
    let t = TestDb::sqlite().await;
    let app = TestApp::spawn(test_settings(&t.url), &t.db).await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(
            b"POST /api/ui/overview HTTP/1.1\r\nHost: x\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 200\r\n\r\nfilters",
        )
        .await
        .unwrap();
    let answer = timeout(CUT_OFF_WITHIN, read_to_close(&mut stream))
        .await
        .expect("the connection stayed open");
    let answer = String::from_utf8_lossy(&answer);
    let status: u16 = answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    assert!(
        answer.is_empty() || (400..500).contains(&status),
        "a client's stall is the client's error: {answer}"
    );
    app.stop().await;
}

#[tokio::test]
async fn past_the_connection_limit_new_connections_wait_their_turn() {
    let t = TestDb::sqlite().await;
    let mut settings = test_settings(&t.url);
    settings.ops = OpsSettings {
        max_connections: Some(2),
        ..OpsSettings::default()
    };
    let app = TestApp::spawn(settings, &t.db).await;
    let idle_1 = TcpStream::connect(app.addr).await.unwrap();
    let _idle_2 = TcpStream::connect(app.addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let mut third = TcpStream::connect(app.addr).await.unwrap();
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut first_byte = [0u8; 1];
    assert!(
        timeout(Duration::from_secs(2), third.read(&mut first_byte))
            .await
            .is_err(),
        "a third connection was served while two were open"
    );
    drop(idle_1);
    let answer = timeout(CUT_OFF_WITHIN, read_to_close(&mut third))
        .await
        .expect("the waiting connection was never served");
    assert!(
        answer.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    app.stop().await;
}
