//! `bilheteria-pix-bench`: payment-to-paid latency of PIX under load. A program, not a timed
//! test.
//!
//! In one process: the fake PSP (the API Pix over mutual TLS), the local router with the
//! `payments-webhook` function, and the consumer loop, on the configured MongoDB and RabbitMQ
//! (a fresh database and queue of its own). It reserves `--orders` orders and opens their PIX
//! charges (not measured), then has the fake PSP pay them at `--rate` per second, each paid
//! pix notified to the webhook as a PSP does. Latency per order: from the pix's `horario` at
//! the PSP to the order's `paid_at` (both this machine's clock), read from the database at
//! the end — so measuring adds no load. It covers the notification's delivery, the webhook's
//! re-read of the charge, the receipt, the message, the consumer, the tickets and `paid`.

use bilheteria::config::PaymentProvider;
use bilheteria::domain::Role;
use bilheteria_local::server::{self, Served};
use bilheteria_testkit::harness;
use bilheteria_testkit::pix as harness_pix;
use clap::Parser;
use futures::{StreamExt, TryStreamExt};
use hdrhistogram::Histogram;
use mongodb::bson::{doc, Document};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
#[command(about = "PIX payment-to-paid latency through the fake PSP, the webhook and the consumer")]
struct Args {
    /// Orders to pay.
    #[arg(long, default_value_t = 3_000)]
    orders: usize,
    /// Payments the PSP makes per second (open loop).
    #[arg(long, default_value_t = 100.0)]
    rate: f64,
    /// Concurrent buyers during the setup (reserve + open the charge).
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Append the figures as one JSON line to this file.
    #[arg(long)]
    json_out: Option<std::path::PathBuf>,
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let args = Args::parse();
    let mut config = harness::fresh_config("pixbench");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let psp = bilheteria_fake_psp::start(bilheteria_fake_psp::FakePspConfig {
        webhook_url: Some(format!("{base}/api/v1/payments/pix/webhook")),
        ..Default::default()
    })
    .await?;
    config.payments = PaymentProvider::PixApi(harness_pix::settings_of(&psp));
    config.hold_minutes = 60;
    bilheteria::adapters::rabbit::ensure_topology(&config).await?;
    let app = harness::app_for(config.clone()).await?;
    let router =
        server::router(Served { app: app.clone(), site_dir: None, openapi: None, dev_mailbox: false, fake_psp: None });
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let consumer = tokio::spawn(bilheteria_local::consumer::run(app.clone()));
    let http = reqwest::Client::builder().pool_max_idle_per_host(256).build()?;

    let (_, admin) =
        harness::user_with_role(&app, Role::Admin, &format!("{}@bench.local", harness::unique_name("admin"))).await?;
    let event = create_event(&http, &base, &admin, args.orders as i64).await?;
    let buyers = (args.orders / 5).max(1);
    let mut tokens = Vec::with_capacity(buyers);
    for _ in 0..buyers {
        let email = format!("{}@bench.local", harness::unique_name("buyer"));
        tokens.push(harness::user_with_role(&app, Role::Buyer, &email).await?.1);
    }

    let setup = Instant::now();
    let txids: Vec<String> = futures::stream::iter(0..args.orders)
        .map(|i| open_charge(&http, &base, &tokens[i % buyers], &event))
        .buffer_unordered(args.concurrency)
        .try_collect()
        .await?;
    println!("setup: {} orders reserved and charged in {:.1} s", txids.len(), setup.elapsed().as_secs_f64());
    // The setup's own messages (order.reserved, payment.requested) drained first, so that the
    // measurement sees only the payments.
    let connection = bilheteria::adapters::rabbit::connect(&config.amqp_url, "pix-bench-watch").await?;
    let channel = connection.create_channel().await?;
    let passive = lapin::options::QueueDeclareOptions { passive: true, durable: true, ..Default::default() };
    loop {
        let mut waiting = 0;
        for lane in config.order_queues() {
            let queue = channel
                .queue_declare(lapin::types::ShortString::from(lane.as_str()), passive, Default::default())
                .await?;
            waiting += queue.message_count();
        }
        if waiting == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    println!("setup drained after {:.1} s", setup.elapsed().as_secs_f64());

    // The PSP pays at the offered rate; payment i is due at start + i / rate.
    let started = Instant::now();
    let control = psp.control_url.clone();
    let pays = futures::stream::iter(txids.iter().enumerate())
        .map(|(i, txid)| {
            let (http, control) = (http.clone(), control.clone());
            async move {
                let due = started + Duration::from_secs_f64(i as f64 / args.rate);
                tokio::time::sleep_until(due.into()).await;
                let url = format!("{control}/control/charges/{txid}/pay");
                http.post(url).json(&json!({})).send().await.map(|r| r.status().is_success()).unwrap_or(false)
            }
        })
        .buffer_unordered(512)
        .filter(|ok| futures::future::ready(!*ok))
        .count()
        .await;
    let offered_for = started.elapsed();

    // Until every order is paid (or a minute passes with none newly paid).
    let orders = app.stores.database().collection::<Document>("orders");
    let mut last = (0, Instant::now());
    loop {
        let paid = orders.count_documents(doc! {"status": "paid"}).await? as usize;
        if paid == txids.len() {
            break;
        }
        if paid > last.0 {
            last = (paid, Instant::now());
        } else if last.1.elapsed() > Duration::from_secs(60) {
            eprintln!("stalled at {paid} paid of {}", txids.len());
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let drained = started.elapsed();

    let receipts: Vec<Document> =
        app.stores.database().collection::<Document>("pix_receipts").find(doc! {}).await?.try_collect().await?;
    let mut paid_at = std::collections::HashMap::new();
    let mut cursor = orders.find(doc! {"status": "paid"}).projection(doc! {"paid_at": 1}).await?;
    while let Some(o) = cursor.try_next().await? {
        if let (Ok(id), Ok(at)) = (o.get_str("_id"), o.get_datetime("paid_at")) {
            paid_at.insert(id.to_string(), at.timestamp_millis());
        }
    }
    let mut hist = Histogram::<u64>::new_with_bounds(1, 600_000, 3)?;
    for r in &receipts {
        let (Ok(order), Ok(pix_at)) = (r.get_str("order_id"), r.get_datetime("paid_at")) else { continue };
        if let Some(done) = paid_at.get(order) {
            hist.record((done - pix_at.timestamp_millis()).max(1) as u64)?;
        }
    }
    let paid = paid_at.len();
    let figures = json!({
        "orders": txids.len(), "paid": paid, "pay_failures": pays, "offered_per_second": args.rate,
        "achieved_paid_per_second": paid as f64 / drained.as_secs_f64(),
        "offered_for_s": offered_for.as_secs_f64(), "drained_in_s": drained.as_secs_f64(),
        "p50_ms": hist.value_at_quantile(0.50), "p90_ms": hist.value_at_quantile(0.90),
        "p99_ms": hist.value_at_quantile(0.99), "max_ms": hist.max(),
    });
    println!("{}", serde_json::to_string_pretty(&figures)?);
    if let Some(path) = &args.json_out {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
        writeln!(f, "{figures}")?;
    }
    consumer.abort();
    harness::cleanup(&config).await;
    if paid != txids.len() {
        std::process::exit(1);
    }
    Ok(())
}

async fn create_event(http: &reqwest::Client, base: &str, admin: &str, capacity: i64) -> Result<String, Failure> {
    let body = json!({
        "name": "PIX Benchmark", "venue": "Estádio", "starts_at": "2030-01-01T20:00:00Z", "buckets": 16,
        "sectors": [{"name": "Pista", "price_cents": 15_000, "capacity": capacity}],
    });
    let reply: Value =
        http.post(format!("{base}/api/v1/admin/events")).bearer_auth(admin).json(&body).send().await?.json().await?;
    Ok(reply["id"].as_str().ok_or_else(|| format!("the event was not created: {reply}"))?.to_string())
}

/// Reserves one ticket and asks to pay by PIX: the charge's txid.
async fn open_charge(http: &reqwest::Client, base: &str, token: &str, event: &str) -> Result<String, Failure> {
    let body = json!({"event_id": event, "sector": "Pista", "price_type": "full", "quantity": 1});
    let order: Value =
        http.post(format!("{base}/api/v1/orders")).bearer_auth(token).json(&body).send().await?.json().await?;
    let id = order["id"].as_str().ok_or_else(|| format!("not reserved: {order}"))?;
    let paying: Value = http
        .post(format!("{base}/api/v1/orders/{id}/pay"))
        .bearer_auth(token)
        .json(&json!({"method": "pix"}))
        .send()
        .await?
        .json()
        .await?;
    Ok(paying["payment"]["pix_txid"].as_str().ok_or_else(|| format!("no charge: {paying}"))?.to_string())
}
