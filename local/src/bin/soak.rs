//! `bilheteria-soak`: the long-run check. Thousands of random buyers reserve, pay (PIX or a
//! card, some declined), cancel, refund and let holds expire, concurrently, through the local
//! router with the consumer and the scheduled maintenance running — and time moving fast, so
//! that holds really expire. At the end it checks, for every sector, that
//! sold + held + available = capacity, and that every paid order holds exactly its tickets.
//! A program, not a timed test: `cargo run --release -p bilheteria-local --bin bilheteria-soak`.

use bilheteria::domain::{OrderStatus, Role};
use bilheteria::services::maintenance;
use bilheteria::{testing, App};
use bilheteria_local::server::{self, Served};
use clap::Parser;
use mongodb::bson::{doc, Document};
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
struct Args {
    /// Buyers, each acting once or more.
    #[arg(long, default_value_t = 3_000)]
    buyers: usize,
    /// Buyers acting at the same time.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    #[arg(long, default_value_t = 7)]
    seed: u64,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args = Args::parse();
    let config = testing::fresh_config("soak");
    let mut app = testing::app_for(config.clone()).await?;
    let clock = Arc::new(testing::ShiftableClock::default());
    app.clock = clock.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let router = server::router(Served { app: app.clone(), site_dir: None, openapi: None });
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    bilheteria::adapters::rabbit::ensure_topology(&config.amqp_url, &config.orders_queue).await?;
    let consumer = tokio::spawn(bilheteria_local::consumer::run(app.clone()));
    // Time runs a minute every second, and maintenance runs every second: holds expire.
    let (ticker_app, ticker_clock) = (app.clone(), clock.clone());
    let ticker = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            ticker_clock.advance(chrono::Duration::minutes(1));
            let _ = maintenance::run(&ticker_app).await;
        }
    });

    let http = reqwest::Client::builder().pool_max_idle_per_host(args.concurrency * 2).build()?;
    let (_, admin) = testing::user_with_role(&app, Role::Admin, "admin@soak.local").await?;
    let event = http
        .post(format!("{base}/api/v1/admin/events"))
        .bearer_auth(&admin)
        .json(&json!({
            "name": "Soak", "venue": "Arena", "starts_at": "2031-01-01T20:00:00Z",
            "sectors": [
                {"name": "Pista", "price_cents": 10_000, "capacity": 4_000,
                 "lots": [{"name": "1º lote", "price_cents": 10_000, "quantity": 1_000}, {"name": "2º lote", "price_cents": 14_000, "quantity": 3_000}]},
                {"name": "VIP", "price_cents": 30_000, "capacity": 800},
            ],
        }))
        .send()
        .await?
        .json::<Value>()
        .await?;
    let event_id = event["id"].as_str().ok_or("event not created")?.to_string();

    let started = Instant::now();
    let semaphore = Arc::new(tokio::sync::Semaphore::new(args.concurrency));
    let mut tasks = Vec::new();
    let mut tally: HashMap<&'static str, u64> = HashMap::new();
    for i in 0..args.buyers {
        let email = format!("{}@soak.local", testing::unique_name("buyer"));
        let token = testing::user_with_role(&app, Role::Buyer, &email).await?.1;
        let permit = semaphore.clone().acquire_owned().await?;
        let (http, base, event_id) = (http.clone(), base.clone(), event_id.clone());
        let seed = args.seed.wrapping_mul(1_000_003).wrapping_add(i as u64);
        tasks.push(tokio::spawn(async move {
            let outcome = act(&http, &base, &token, &event_id, seed).await;
            drop(permit);
            outcome
        }));
    }
    for t in tasks {
        *tally.entry(t.await?).or_default() += 1;
    }
    // Let the consumer settle every payment and the maintenance expire what is due.
    for _ in 0..60 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let pending = app
            .stores
            .database()
            .collection::<Document>("orders")
            .count_documents(doc! {"status": "payment_pending"})
            .await?;
        if pending == 0 {
            break;
        }
    }
    clock.advance(chrono::Duration::minutes(30));
    maintenance::run(&app).await?;
    ticker.abort();
    consumer.abort();

    let ok = check(&app, &event_id, &mut tally).await?;
    println!(
        "bilheteria-soak: {} buyers, {} at a time, {:.1} s",
        args.buyers,
        args.concurrency,
        started.elapsed().as_secs_f64()
    );
    let mut keys: Vec<_> = tally.iter().collect();
    keys.sort();
    for (k, v) in keys {
        println!("  {k:<28} {v}");
    }
    testing::cleanup(&config).await;
    if !ok {
        std::process::exit(1);
    }
    Ok(())
}

/// One buyer's random visit. Returns what they ended up doing.
async fn act(http: &reqwest::Client, base: &str, token: &str, event: &str, seed: u64) -> &'static str {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let sector = if rng.random_bool(0.8) { "Pista" } else { "VIP" };
    let price_type = if rng.random_bool(0.3) { "half" } else { "full" };
    let quantity = rng.random_range(1..=4);
    let reply = http
        .post(format!("{base}/api/v1/orders"))
        .bearer_auth(token)
        .json(&json!({"event_id": event, "sector": sector, "price_type": price_type, "quantity": quantity}))
        .send()
        .await;
    let Ok(reply) = reply else { return "error: reserve" };
    match reply.status().as_u16() {
        201 => {}
        409 => return "refused (sold out / share)",
        _ => return "error: reserve status",
    }
    let Ok(order) = reply.json::<Value>().await else { return "error: reserve body" };
    let id = order["id"].as_str().unwrap_or_default().to_string();
    let roll: f64 = rng.random();
    let post = |path: String, body: Option<Value>| {
        let mut r = http.post(format!("{base}/api/v1/orders/{id}/{path}")).bearer_auth(token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        r.send()
    };
    if roll < 0.45 {
        let body = if rng.random_bool(0.5) {
            json!({"method": "pix"})
        } else {
            json!({"method": "card", "card_number": "4111111111111111"})
        };
        let _ = post("pay".into(), Some(body)).await;
        if rng.random_bool(0.1) {
            tokio::time::sleep(Duration::from_millis(1_000)).await;
            let _ = post("refund".into(), None).await;
            return "paid, then asked a refund";
        }
        "paid"
    } else if roll < 0.52 {
        let _ = post("pay".into(), Some(json!({"method": "card", "card_number": "4000000000000002"}))).await;
        "paid with a declined card"
    } else if roll < 0.75 {
        let _ = post("cancel".into(), None).await;
        "cancelled"
    } else {
        "let the hold expire"
    }
}

async fn check(app: &App, event_id: &str, tally: &mut HashMap<&'static str, u64>) -> Result<bool, BoxError> {
    let db = app.stores.database();
    let orders: Vec<Document> = {
        use futures::TryStreamExt;
        db.collection::<Document>("orders").find(doc! {"event_id": event_id}).await?.try_collect().await?
    };
    let event = app.events.find(&bilheteria::domain::EventId::parse(event_id).ok_or("id")?).await?.ok_or("event")?;
    let stock = app.inventory.stock(std::slice::from_ref(&event.id)).await?;
    let mut ok = true;
    for sector in &event.sectors {
        let holding: i64 = orders
            .iter()
            .filter(|o| o.get_str("sector_id").ok() == Some(sector.id.as_str()))
            .filter(|o| matches!(o.get_str("status").unwrap_or(""), "reserved" | "payment_pending" | "paid"))
            .map(|o| o.get_i64("quantity").unwrap_or(0))
            .sum();
        let available = stock.get(&event.id).and_then(|s| s.get(&sector.id)).map(|s| s.available).unwrap_or(0);
        let balanced = holding + available == sector.capacity();
        ok &= balanced;
        println!(
            "  sector {:<8} capacity {:>5} = sold/held {:>5} + available {:>5}  {}",
            sector.name,
            sector.capacity(),
            holding,
            available,
            if balanced { "OK" } else { "MISMATCH" }
        );
    }
    let mut by_status: HashMap<String, u64> = HashMap::new();
    let mut paid_without_tickets = 0;
    for o in &orders {
        let status = o.get_str("status").unwrap_or("").to_string();
        *by_status.entry(status.clone()).or_default() += 1;
        let id = bilheteria::domain::OrderId::parse(o.get_str("_id").unwrap_or("")).ok_or("order id")?;
        let tickets = app.tickets.for_order(&id).await?.len() as i64;
        let should = if status == OrderStatus::Paid.as_str() { o.get_i64("quantity").unwrap_or(0) } else { 0 };
        if tickets != should {
            paid_without_tickets += 1;
        }
    }
    for (k, v) in by_status {
        println!("  orders {k:<20} {v}");
    }
    println!("  orders with the wrong ticket count: {paid_without_tickets}");
    ok &= paid_without_tickets == 0;
    println!("  invariant sold + held + available = capacity: {}", if ok { "holds" } else { "BROKEN" });
    tally.entry("orders in total").or_insert(orders.len() as u64);
    Ok(ok)
}
