//! A TCP proxy in front of PostgreSQL that a test can cut, to see how Strata behaves when its
//! database stops answering without stopping the shared server.

use std::net::SocketAddr;

use tokio::{net::TcpListener, sync::watch, task::JoinHandle};

pub struct PgProxy {
    pub addr: SocketAddr,
    cut: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl PgProxy {
    pub async fn start(upstream: SocketAddr) -> PgProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (cut, cut_rx) = watch::channel(false);
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    return;
                };
                if *cut_rx.borrow() {
                    continue; // dropped: the connection closes at once
                }
                let mut cut_rx = cut_rx.clone();
                tokio::spawn(async move {
                    let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cut_rx.wait_for(|cut| *cut) => {}
                    }
                });
            }
        });
        PgProxy { addr, cut, task }
    }

    /// Close every proxied connection and refuse new ones, as a stopped server would.
    pub fn cut(&self) {
        let _ = self.cut.send(true);
    }
}

impl Drop for PgProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}
