//! An HTTP/1.1 server at the socket level, for what a well-behaved framework will not do:
//! drop a connection, stall, send less body than announced. Each request gets the next
//! scripted reply (the last one repeats); every reply closes its connection.
#![allow(dead_code)]

use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
    task::JoinHandle,
};

#[derive(Clone, Debug)]
pub enum Reply {
    /// Close the connection without answering.
    Close,
    /// Write these bytes, then close.
    Send(Vec<u8>),
    /// Wait, then write and close.
    Slow(Duration, Vec<u8>),
}

/// A complete response with `Content-Length` and `Connection: close`.
pub fn response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

pub fn json(status: &str, body: &str) -> Reply {
    Reply::Send(response(
        status,
        &[("content-type", "application/json")],
        body.as_bytes(),
    ))
}

/// A request as it arrived: its head, and when.
#[derive(Clone, Debug)]
pub struct Seen {
    pub head: String,
    pub at: Instant,
}

impl Seen {
    /// `GET /path?query HTTP/1.1` → `/path?query`.
    pub fn target(&self) -> &str {
        self.head.split_whitespace().nth(1).unwrap_or("")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

pub struct RawServer {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    pub max_in_flight: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl RawServer {
    pub async fn start(replies: Vec<Reply>) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let max_in_flight = Arc::new(AtomicUsize::new(0));
        let task = {
            let (seen, max_in_flight) = (seen.clone(), max_in_flight.clone());
            tokio::spawn(async move {
                loop {
                    let Ok((mut socket, _)) = listener.accept().await else {
                        return;
                    };
                    let (seen, in_flight, max_in_flight) =
                        (seen.clone(), in_flight.clone(), max_in_flight.clone());
                    let replies = replies.clone();
                    tokio::spawn(async move {
                        let Some(head) = read_head(&mut socket).await else {
                            return;
                        };
                        let index = {
                            let mut seen = seen.lock().unwrap();
                            seen.push(Seen {
                                head,
                                at: Instant::now(),
                            });
                            seen.len() - 1
                        };
                        let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                        max_in_flight.fetch_max(now, Ordering::SeqCst);
                        let reply = replies[index.min(replies.len() - 1)].clone();
                        match reply {
                            Reply::Close => {}
                            Reply::Send(bytes) => {
                                let _ = socket.write_all(&bytes).await;
                            }
                            Reply::Slow(wait, bytes) => {
                                tokio::time::sleep(wait).await;
                                let _ = socket.write_all(&bytes).await;
                            }
                        }
                        in_flight.fetch_sub(1, Ordering::SeqCst);
                        let _ = socket.shutdown().await;
                    });
                }
            })
        };
        RawServer {
            addr,
            seen,
            max_in_flight,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn read_head(socket: &mut tokio::net::TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(String::from_utf8_lossy(&buf).into_owned())
}
