//! `bilheteria-bench`: drives concurrent reservations through the local router and prints
//! reservations/s, latency percentiles and the oversell check. A program, not a timed test.
//!
//! By default it starts the router in-process on an ephemeral port against the configured
//! MongoDB and RabbitMQ (a fresh database of its own); `--base-url` targets a running
//! `bilheteria-local serve` instead (it then needs the same MONGODB_URI, MONGODB_DATABASE
//! and JWT_SECRET to create its event and buyers).

use bilheteria::adapters::mongo::{COMBINED_TAKES, COMBINED_UPDATES, TAKE_CALLS, TAKE_UPDATES};
use bilheteria::domain::Role;
use bilheteria::{App, Config};
use bilheteria_local::server;
use bilheteria_testkit::harness;
use clap::Parser;
use hdrhistogram::Histogram;
use mongodb::bson::{doc, Document};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
#[command(about = "Concurrent reservation benchmark for the Bilheteria reservation path")]
struct Args {
    /// Concurrent buyers, each with its own token and connection.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Reservations to attempt in all.
    #[arg(long, default_value_t = 20_000)]
    requests: u64,
    /// Tickets in the hot sector (fewer than requests × quantity exercises sold-out answers).
    #[arg(long, default_value_t = 1_000_000)]
    capacity: i64,
    /// Tickets per reservation.
    #[arg(long, default_value_t = 1)]
    quantity: i64,
    /// Inventory documents the hot sector is split into (1 = one document per sector).
    #[arg(long, default_value_t = 16)]
    buckets: u32,
    /// Target a running server instead of an in-process one.
    #[arg(long)]
    base_url: Option<String>,
    /// Do not run the consumer during the measurement (in production it runs on other
    /// machines; here it would compete for the same two cores). Messages wait in the queue.
    #[arg(long)]
    no_consumer: bool,
    /// Append the figures as one JSON line to this file (for the chart).
    #[arg(long)]
    json_out: Option<std::path::PathBuf>,
    /// Keep the benchmark's database afterwards (in-process mode drops it).
    #[arg(long)]
    keep: bool,
    /// Offer this many reservations per second (open loop) instead of as many as the buyers
    /// can push (closed loop). Reservation i is due at start + i/rate; its latency is counted
    /// from when it was due, so a server that falls behind is charged for the wait
    /// (no coordinated omission).
    #[arg(long)]
    rate: Option<f64>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let args = Args::parse();
    let (config, in_process) = match &args.base_url {
        Some(_) => (Config::from_env()?, false),
        None => {
            let mut c = Config::from_env().unwrap_or_else(|_| harness::fresh_config("bench"));
            c.mongodb_database = harness::unique_name("bench");
            c.orders_queue = format!("{}.orders", c.mongodb_database);
            (c, true)
        }
    };
    let app = harness::app_for(config.clone()).await?;
    let base = match &args.base_url {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => server::serve_api_in_background(&app).await?,
    };
    if in_process {
        bilheteria::adapters::rabbit::ensure_topology(&config).await?;
    }
    let consumer =
        (in_process && !args.no_consumer).then(|| tokio::spawn(bilheteria_local::consumer::run(app.clone())));

    let http = reqwest::Client::builder().pool_max_idle_per_host(args.concurrency * 2).build()?;
    let (_, admin) =
        harness::user_with_role(&app, Role::Admin, &format!("{}@bench.local", harness::unique_name("admin"))).await?;
    let event = create_event(&http, &base, &admin, args.capacity, args.buckets).await?;
    let mut buyers = Vec::with_capacity(args.concurrency);
    for _ in 0..args.concurrency {
        let email = format!("{}@bench.local", harness::unique_name("buyer"));
        buyers.push(harness::user_with_role(&app, Role::Buyer, &email).await?.1);
    }

    // Warm the connection pools so the measurement is of steady state.
    for b in buyers.iter().take(4) {
        let _ = reserve(&http, &base, b, &event, args.quantity).await;
    }
    let warmup_taken = sold_by_orders(&app, &event).await?;

    let (calls_before, updates_before) = (TAKE_CALLS.load(Ordering::Relaxed), TAKE_UPDATES.load(Ordering::Relaxed));
    let (combined_before, shared_before) =
        (COMBINED_TAKES.load(Ordering::Relaxed), COMBINED_UPDATES.load(Ordering::Relaxed));
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for token in buyers {
        let (http, base, event, next) = (http.clone(), base.clone(), event.clone(), next.clone());
        let (total, quantity, rate) = (args.requests, args.quantity, args.rate);
        workers.push(tokio::spawn(async move {
            let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram");
            let (mut created, mut conflicts, mut errors) = (0u64, 0u64, 0u64);
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let due = match rate {
                    Some(rate) => {
                        let due = started + Duration::from_secs_f64(i as f64 / rate);
                        tokio::time::sleep_until(due.into()).await;
                        due
                    }
                    None => Instant::now(),
                };
                let status = reserve(&http, &base, &token, &event, quantity).await;
                hist.record(due.elapsed().as_micros().max(1) as u64).ok();
                match status {
                    Some(201) => created += 1,
                    Some(409) => conflicts += 1,
                    _ => errors += 1,
                }
            }
            (hist, created, conflicts, errors)
        }));
    }
    let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let (mut created, mut conflicts, mut errors) = (0, 0, 0);
    for w in workers {
        let (h, c, k, e) = w.await?;
        hist.add(h)?;
        created += c;
        conflicts += k;
        errors += e;
    }
    let elapsed = started.elapsed();
    let calls = TAKE_CALLS.load(Ordering::Relaxed) - calls_before;
    let updates = TAKE_UPDATES.load(Ordering::Relaxed) - updates_before;
    let combined = COMBINED_TAKES.load(Ordering::Relaxed) - combined_before;
    let shared_updates = COMBINED_UPDATES.load(Ordering::Relaxed) - shared_before;
    let combined_share = if calls > 0 { combined as f64 / calls as f64 } else { 0.0 };
    let retries = if calls > 0 { (updates as f64 - calls as f64) / calls as f64 } else { 0.0 };

    let taken = sold_by_orders(&app, &event).await? - warmup_taken;
    let available = available(&app, &event).await?;
    let sold_by_orders = sold_by_orders(&app, &event).await?;
    let oversold = sold_by_orders + available != args.capacity || available < 0;
    println!(
        "bilheteria-bench: {} concurrent buyers, {} reservations of {} ticket(s), sector of {} in {} bucket(s)",
        args.concurrency, args.requests, args.quantity, args.capacity, args.buckets
    );
    match args.rate {
        Some(rate) => {
            println!("  offered            {rate:.0} reservations/s (open loop, latency from when each was due)")
        }
        None => println!("  offered            as fast as the buyers can go (closed loop)"),
    }
    println!("  elapsed            {:.2} s", elapsed.as_secs_f64());
    println!("  reservations/s     {:.0}", (created + conflicts) as f64 / elapsed.as_secs_f64());
    println!("  created / 409 / errors  {created} / {conflicts} / {errors}");
    if in_process {
        println!("  retries/reservation {retries:.3} (conditional updates beyond the first per reservation)");
        println!(
            "  combined takes     {:.1}% of takes served by {shared_updates} shared updates (tried; misses go alone)",
            100.0 * combined_share
        );
    }
    println!("  latency p50        {:.2} ms", hist.value_at_quantile(0.50) as f64 / 1000.0);
    println!("  latency p90        {:.2} ms", hist.value_at_quantile(0.90) as f64 / 1000.0);
    println!("  latency p99        {:.2} ms", hist.value_at_quantile(0.99) as f64 / 1000.0);
    println!("  latency max        {:.2} ms", hist.max() as f64 / 1000.0);
    println!(
        "  tickets in orders  {sold_by_orders} (this run: {taken}), available {available}, capacity {}",
        args.capacity
    );
    println!(
        "  oversold           {}",
        if oversold { "YES — sold + available != capacity" } else { "no (sold + available == capacity)" }
    );

    if let Some(path) = &args.json_out {
        use std::io::Write;
        let line = json!({
            "buckets": args.buckets, "concurrency": args.concurrency, "quantity": args.quantity,
            "capacity": args.capacity, "requests": args.requests, "created": created, "conflicts": conflicts,
            "errors": errors, "seconds": elapsed.as_secs_f64(),
            "per_second": (created + conflicts) as f64 / elapsed.as_secs_f64(),
            "p50_ms": hist.value_at_quantile(0.50) as f64 / 1000.0,
            "p99_ms": hist.value_at_quantile(0.99) as f64 / 1000.0,
            "retries_per_reservation": retries, "oversold": oversold, "consumer": !args.no_consumer,
            "offered_per_second": args.rate, "combined_share": combined_share, "p90_ms": hist.value_at_quantile(0.90) as f64 / 1000.0,
            "max_ms": hist.max() as f64 / 1000.0,
        });
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
        writeln!(f, "{line}")?;
    }
    if let Some(c) = consumer {
        c.abort();
    }
    if in_process && !args.keep {
        harness::cleanup(&config).await;
    }
    if oversold || errors > 0 {
        std::process::exit(1);
    }
    Ok(())
}

async fn create_event(
    http: &reqwest::Client,
    base: &str,
    admin: &str,
    capacity: i64,
    buckets: u32,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let body = json!({
        "name": "Benchmark On-Sale", "venue": "Estádio", "starts_at": "2030-01-01T20:00:00Z",
        "buckets": buckets, "max_per_order": 10,
        "sectors": [{"name": "Pista", "price_cents": 20_000, "capacity": capacity}],
    });
    let reply: Value =
        http.post(format!("{base}/api/v1/admin/events")).bearer_auth(admin).json(&body).send().await?.json().await?;
    Ok(reply["id"].as_str().ok_or("the event was not created")?.to_string())
}

async fn reserve(http: &reqwest::Client, base: &str, token: &str, event: &str, quantity: i64) -> Option<u16> {
    let body = json!({"event_id": event, "sector": "Pista", "price_type": "full", "quantity": quantity});
    http.post(format!("{base}/api/v1/orders"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .ok()
        .map(|r| r.status().as_u16())
}

async fn sold_by_orders(app: &App, event: &str) -> Result<i64, Box<dyn std::error::Error + Send + Sync>> {
    let mut cursor = app
        .stores
        .database()
        .collection::<Document>("orders")
        .aggregate(vec![
            doc! {"$match": {"event_id": event}},
            doc! {"$group": {"_id": null, "n": {"$sum": "$quantity"}}},
        ])
        .await?;
    use futures::StreamExt;
    Ok(match cursor.next().await {
        Some(d) => d?.get_i64("n").unwrap_or(0),
        None => 0,
    })
}

async fn available(app: &App, event: &str) -> Result<i64, Box<dyn std::error::Error + Send + Sync>> {
    let id = bilheteria::domain::EventId::parse(event).ok_or("bad id")?;
    let stock = app.inventory.stock(std::slice::from_ref(&id)).await?;
    Ok(stock.get(&id).map(|by_sector| by_sector.values().map(|s| s.available).sum()).unwrap_or(0))
}
