//! A TCP proxy in front of the real RabbitMQ that a test can cut and restore: from the
//! application's side, exactly what a broker outage looks like (connections drop, new ones
//! are refused), without stopping the machine's broker under other tests.

use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

/// The accept loop and the links it opened, so that a cut can end them all.
type Running = (JoinHandle<()>, Arc<Mutex<Vec<JoinHandle<()>>>>);

pub struct BrokerProxy {
    pub addr: SocketAddr,
    upstream: SocketAddr,
    running: Mutex<Option<Running>>,
}

impl BrokerProxy {
    pub async fn start(upstream: SocketAddr) -> Arc<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("addr");
        let proxy = Arc::new(BrokerProxy { addr, upstream, running: Mutex::new(None) });
        proxy.serve(listener).await;
        proxy
    }

    async fn serve(&self, listener: TcpListener) {
        let upstream = self.upstream;
        let links: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let tracked = links.clone();
        let acceptor = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let link = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                tracked.lock().await.push(link);
            }
        });
        *self.running.lock().await = Some((acceptor, links));
    }

    /// The broker "goes down": every open connection is dropped and new ones are refused.
    pub async fn cut(&self) {
        if let Some((acceptor, links)) = self.running.lock().await.take() {
            acceptor.abort();
            for l in links.lock().await.drain(..) {
                l.abort();
            }
        }
    }

    /// The broker "comes back" on the same address.
    pub async fn restore(&self) {
        let listener = TcpListener::bind(self.addr).await.expect("rebind proxy");
        self.serve(listener).await;
    }

    pub fn amqp_url(&self) -> String {
        format!("amqp://guest:guest@{}/%2f", self.addr)
    }
}
