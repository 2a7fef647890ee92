//! The integration-test harness: a real local router on an ephemeral port, in front of the
//! real MongoDB-compatible server and the real RabbitMQ, with a database and queues of the
//! test's own. Tests speak HTTP to it, as a buyer's browser would.

pub mod accounts;
pub mod pix;
pub mod proxy;

use bilheteria::config::PaymentProvider;
use bilheteria::domain::Role;
use bilheteria::{App, Config};
use bilheteria_local::server::{self, Served};
use bilheteria_testkit::harness;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub struct Harness {
    pub config: Config,
    pub app: App,
    /// The app's clock: `h.clock.advance(..)` moves time for the server under test.
    pub clock: std::sync::Arc<harness::ShiftableClock>,
    pub base: String,
    pub http: reqwest::Client,
    server: tokio::task::JoinHandle<()>,
    stop_server: Option<tokio::sync::oneshot::Sender<()>>,
    consumer: Option<tokio::task::JoinHandle<()>>,
    /// The fake PSP, for harnesses started `with_psp`.
    pub psp: Option<bilheteria_fake_psp::RunningPsp>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Harness {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::start_full(adjust, false).await
    }

    /// A harness whose PIX goes through the fake PSP (the API Pix over mutual TLS, its
    /// notifications to this router's webhook), configured as production is: `pix-api`, so
    /// no card is offered.
    pub async fn with_psp() -> Self {
        Self::start_full(|_| {}, true).await
    }

    async fn start_full(adjust: impl FnOnce(&mut Config), psp: bool) -> Self {
        let mut config = harness::fresh_config("it");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        // Links in e-mails and exports point at this router, as the local runner's do.
        config.public_site_url = base.clone();
        let psp = match psp {
            true => {
                let fake = bilheteria_fake_psp::start(bilheteria_fake_psp::FakePspConfig {
                    webhook_url: Some(format!("{base}/api/v1/payments/pix/webhook")),
                    ..Default::default()
                })
                .await
                .expect("the fake PSP starts");
                config.payments = PaymentProvider::PixApi(pix::settings_of(&fake));
                Some(fake)
            }
            false => None,
        };
        adjust(&mut config);
        bilheteria::adapters::rabbit::ensure_topology(&config).await.expect("the test's queues can be declared");
        let mut app = harness::app_for(config.clone()).await.expect("the test database and broker are reachable");
        let clock = std::sync::Arc::new(harness::ShiftableClock::default());
        app.clock = clock.clone();
        let router = server::router(Served {
            app: app.clone(),
            site_dir: None,
            openapi: None,
            dev_mailbox: true,
            fake_psp: psp.as_ref().map(|p| p.control_url.clone()),
        });
        let (stop_server, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            axum::serve(listener, router).with_graceful_shutdown(shutdown).await.expect("serve");
        });
        let http = reqwest::Client::builder().pool_max_idle_per_host(512).build().expect("client");
        Harness { config, app, clock, base, http, server, stop_server: Some(stop_server), consumer: None, psp }
    }

    /// Runs the local consumer loop (what the Amazon MQ trigger does in production).
    pub fn with_consumer(mut self) -> Self {
        self.consumer = Some(tokio::spawn(bilheteria_local::consumer::run(self.app.clone())));
        self
    }

    /// Stops the router gracefully — requests in flight finish, so none is cut off half-way
    /// through a database transaction — then drops the test's database and queues.
    pub async fn finish(mut self) {
        if let Some(stop) = self.stop_server.take() {
            let _ = stop.send(());
        }
        let server = self.server;
        let aborter = server.abort_handle();
        if tokio::time::timeout(std::time::Duration::from_secs(10), server).await.is_err() {
            aborter.abort();
        }
        if let Some(c) = self.consumer {
            c.abort();
        }
        harness::cleanup(&self.config).await;
    }

    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        self.call_with(method, path, token, body, &[]).await
    }

    pub async fn call_with(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply { status, headers, body }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::POST, path, token, Some(body)).await
    }

    /// A buyer's access token (the user is stored directly: Argon2 per test user is slow).
    pub async fn buyer(&self) -> String {
        let email = format!("{}@example.com", harness::unique_name("buyer"));
        harness::user_with_role(&self.app, Role::Buyer, &email).await.expect("buyer").1
    }

    pub async fn admin(&self) -> String {
        let email = format!("{}@example.com", harness::unique_name("admin"));
        harness::user_with_role(&self.app, Role::Admin, &email).await.expect("admin").1
    }

    /// Creates an event through the admin API; returns its id.
    pub async fn event(&self, sectors: &[(&str, i64, i64)]) -> String {
        let admin = self.admin().await;
        let sectors: Vec<Value> =
            sectors.iter().map(|(n, p, c)| json!({"name": n, "price_cents": p, "capacity": c})).collect();
        let reply = self
            .post(
                "/api/v1/admin/events",
                Some(&admin),
                json!({"name": "Show de Teste", "venue": "Arena", "starts_at": "2030-01-01T20:00:00Z", "sectors": sectors}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.body["id"].as_str().expect("id").to_string()
    }

    /// Pauses (`paused`) or resumes (`active`) an event through the admin API.
    pub async fn set_status(&self, event: &str, status: &str) {
        let admin = self.admin().await;
        let r = self
            .call(
                Method::PATCH,
                &format!("/api/v1/admin/events/{event}/status"),
                Some(&admin),
                Some(json!({"status": status})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }

    /// Deletes an event (one without sales) through the admin API.
    pub async fn delete_event(&self, event: &str) {
        let admin = self.admin().await;
        let r = self.call(Method::DELETE, &format!("/api/v1/admin/events/{event}"), Some(&admin), None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    }

    /// Puts `event` in queue mode through the admin API, opening `opens_in` from the
    /// server's now, admitting `rate` buyers a minute; the admins' view of the room.
    pub async fn queue_mode(&self, event: &str, opens_in: chrono::Duration, rate: i64) -> Value {
        let admin = self.admin().await;
        let opens_at = (self.app.clock.now() + opens_in).to_rfc3339();
        let reply = self
            .call(
                Method::PUT,
                &format!("/api/v1/admin/events/{event}/queue"),
                Some(&admin),
                Some(json!({"enabled": true, "opens_at": opens_at, "rate_per_minute": rate})),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.body
    }

    /// Joins `event`'s queue as the holder of `token`; the place answer.
    pub async fn join_queue(&self, token: &str, event: &str) -> Value {
        let reply = self.post(&format!("/api/v1/events/{event}/queue"), Some(token), json!({})).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.body
    }

    pub async fn reserve(&self, token: &str, event: &str, sector: &str, price_type: &str, quantity: i64) -> Reply {
        let mut body = json!({"event_id": event, "sector": sector, "price_type": price_type, "quantity": quantity});
        // Half price names the holder's entitlement (required).
        if price_type == "half" {
            body["entitlement"] = "student".into();
        }
        self.post("/api/v1/orders", Some(token), body).await
    }

    pub async fn available(&self, event: &str, sector: &str) -> i64 {
        let reply = self.get(&format!("/api/v1/events/{event}"), None).await;
        reply.body["sectors"]
            .as_array()
            .expect("sectors")
            .iter()
            .find(|s| s["name"] == sector)
            .and_then(|s| s["available"].as_i64())
            .expect("sector")
    }

    /// Runs the consumer's logic for every message due (the queue is not involved): used by
    /// tests that want an order paid without waiting on the broker. `true` when the payment
    /// was processed (`false`: it had been already).
    pub async fn settle_payment(&self, order_id: &str) -> bool {
        let id = bilheteria::domain::OrderId::parse(order_id).expect("order id");
        let order = self.app.orders.find(&id).await.expect("find").expect("order");
        let attempt = order.payment.as_ref().map(|p| p.attempt).unwrap_or(1);
        let message = bilheteria::domain::Message::payment_requested(id, attempt, self.app.clock.now());
        bilheteria::services::processing::process(&self.app, &message).await.expect("process")
    }

    /// Counts documents in one of the test database's collections.
    pub async fn count(&self, collection: &str, filter: mongodb::bson::Document) -> u64 {
        self.app
            .stores
            .database()
            .collection::<mongodb::bson::Document>(collection)
            .count_documents(filter)
            .await
            .expect("count")
    }

    /// A `bilheteria-local` process (`args`, e.g. `consume` or `serve …`) configured for this
    /// test's database, queues and secrets, its output discarded, killed when dropped.
    pub fn local_process(&self, args: &[&str]) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_bilheteria-local"));
        command
            .args(args)
            .env("MONGODB_URI", &self.config.mongodb_uri)
            .env("MONGODB_DATABASE", &self.config.mongodb_database)
            .env("AMQP_URL", &self.config.amqp_url)
            .env("ORDERS_QUEUE", &self.config.orders_queue)
            .env("JWT_SECRET", &self.config.jwt_secret)
            .env("EMAIL_LINK_SECRET", &self.config.email_link_secret)
            .env("QUEUE_TOKEN_KEY", self.config.queue_token_key.as_deref().unwrap_or_default())
            .env("PAYMENT_PROVIDER", "test")
            .env("NO_FAKE_PSP", "true")
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true);
        command
    }

    pub async fn order(&self, token: &str, id: &str) -> Value {
        self.get(&format!("/api/v1/orders/{id}"), Some(token)).await.body
    }
}

/// Polls `check` until it is true or `seconds` pass.
pub async fn eventually<F, Fut>(seconds: u64, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while tokio::time::Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}
