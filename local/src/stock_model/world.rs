//! The server the operations run against, and calls to it.

use super::BoxError;
use bilheteria::domain::{Delivery, Message, OrderId};
use bilheteria::services::processing;
use bilheteria::{App, Config};
use bilheteria_testkit::harness::{self, ShiftableClock};
use reqwest::Method;
use serde_json::Value;
use std::sync::Arc;

/// What the operations run against: the server's base URL and the very `App` it serves (the
/// consumer's logic, the maintenance and the invariant checks use it), and its clock.
#[derive(Clone)]
pub struct World {
    pub app: App,
    pub clock: Arc<ShiftableClock>,
    pub base: String,
    pub http: reqwest::Client,
}

/// A server of its own, in-process: the local router on an ephemeral port over a fresh
/// database and fresh queues (what the test harness does; for programs).
pub struct Local {
    pub world: World,
    pub config: Config,
    server: tokio::task::JoinHandle<()>,
}

impl Local {
    pub async fn start(prefix: &str) -> Result<Local, BoxError> {
        let config = harness::fresh_config(prefix);
        bilheteria::adapters::rabbit::ensure_topology(&config).await?;
        let mut app = harness::app_for(config.clone()).await?;
        let clock = Arc::new(ShiftableClock::default());
        app.clock = clock.clone();
        let router = crate::server::router(crate::server::Served {
            app: app.clone(),
            site_dir: None,
            openapi: None,
            dev_mailbox: false,
            fake_psp: None,
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        let http = reqwest::Client::builder().pool_max_idle_per_host(64).build()?;
        Ok(Local { world: World { app, clock, base, http }, config, server })
    }

    pub async fn finish(self) {
        self.server.abort();
        harness::cleanup(&self.config).await;
    }
}

/// A reply: its status and body (JSON, or the text as a string).
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl World {
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Result<Reply, String> {
        let mut req = self.http.request(method.clone(), format!("{}{}", self.base, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.map_err(|e| format!("{method} {path}: {e}"))?;
        let status = res.status().as_u16();
        let text = res.text().await.map_err(|e| format!("{method} {path}: reading the body: {e}"))?;
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok(Reply { status, body })
    }

    /// The consumer's logic for an order's current payment message (the queue not involved),
    /// through the batch entry point the consumer uses, which works on messages of different
    /// orders at once: the round's other operations race it as the batch's others would.
    pub async fn settle_payment(&self, order_id: &str) -> Result<bool, String> {
        let id = OrderId::parse(order_id).ok_or_else(|| format!("'{order_id}' is not an order id"))?;
        let order = self.app.orders.find(&id).await.map_err(|e| e.to_string())?.ok_or("the order is gone")?;
        let attempt = order.payment.as_ref().map(|p| p.attempt).unwrap_or(1);
        let message = Message::payment_requested(id, attempt, self.app.clock.now());
        let body = serde_json::to_vec(&message).map_err(|e| e.to_string())?;
        let report = processing::process_batch(&self.app, &[Delivery { body, message: Ok(message) }]).await;
        if let Some(err) = report.retry {
            return Err(format!("processing the payment: {err}"));
        }
        if let Some((_, reason)) = report.poisoned.first() {
            return Err(format!("processing the payment: dead-lettered: {reason}"));
        }
        Ok(report.processed == 1)
    }

    /// Settles the order's pix (if it was ever charged by PIX) as the consumer does on a
    /// notification, whatever the order's state. `None`: no PIX charge.
    pub async fn settle_pix(&self, order_id: &str) -> Result<Option<bool>, String> {
        let id = OrderId::parse(order_id).ok_or_else(|| format!("'{order_id}' is not an order id"))?;
        let order = self.app.orders.find(&id).await.map_err(|e| e.to_string())?.ok_or("the order is gone")?;
        let Some(txid) = order.payment.as_ref().and_then(|p| p.pix_txid.as_deref()) else { return Ok(None) };
        let (txid, _, _) = bilheteria::domain::pix::Txid::parse(txid).ok_or("not a txid of ours")?;
        bilheteria::services::payments::settle::settle_charge(&self.app, &id, &txid)
            .await
            .map(Some)
            .map_err(|e| format!("settling the pix: {e}"))
    }

    /// An admin's view of one event (the admin list has cancelled events too).
    pub async fn admin_view(&self, admin: &str, event_id: &str) -> Result<Option<Value>, String> {
        let r = self.call(Method::GET, "/api/v1/admin/events", Some(admin), None, &[]).await?;
        if r.status != 200 {
            return Err(format!("GET /api/v1/admin/events: {} {}", r.status, r.body));
        }
        Ok(r.body.as_array().and_then(|a| a.iter().find(|e| e["id"] == event_id).cloned()))
    }
}
