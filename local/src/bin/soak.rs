//! `bilheteria-soak`: the long-run check. Thousands of random buyers reserve, pay (PIX or a
//! card, some declined), cancel, refund and let holds expire, concurrently, through the local
//! router with the consumer and the scheduled maintenance running — and time moving fast, so
//! that holds really expire. At the end it checks, for every sector, that
//! sold + held + available = capacity, and that every paid order holds exactly its tickets.
//!
//! Meanwhile an admin edits the event every ~300 ms (a sector's capacity a few tickets up or
//! down, read first and sent with `If-Match` on the version read; a 409/412 is a refusal,
//! counted) and now and then pauses and resumes it, and the reconciler runs every second
//! besides the maintenance ticker; the end also checks the stock model's invariants
//! (`bilheteria_local::stock_model::check`: per lot, the half-price share, paid tickets).
//! A program, not a timed test: `cargo run --release -p bilheteria-local --bin bilheteria-soak`.

use bilheteria::domain::{OrderStatus, Role};
use bilheteria::services::maintenance;
use bilheteria::App;
use bilheteria_local::server;
use bilheteria_local::stock_model;
use bilheteria_testkit::harness;
use clap::Parser;
use mongodb::bson::{doc, Document};
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
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
    let config = harness::fresh_config("soak");
    let mut app = harness::app_for(config.clone()).await?;
    let clock = Arc::new(harness::ShiftableClock::default());
    app.clock = clock.clone();
    let base = server::serve_api_in_background(&app).await?;
    bilheteria::adapters::rabbit::ensure_topology(&config).await?;
    let consumer = tokio::spawn(bilheteria_local::consumer::run(app.clone()));
    // Time runs a minute every second, and maintenance runs every second: holds expire.
    let (ticker_app, ticker_clock) = (app.clone(), clock.clone());
    let maintained = Arc::new(Maintained::default());
    let ticker_counts = maintained.clone();
    let ticker = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            ticker_clock.advance(chrono::Duration::minutes(1));
            match maintenance::run(&ticker_app).await {
                Ok(report) => {
                    ticker_counts.runs.fetch_add(1, Ordering::Relaxed);
                    ticker_counts.expired.fetch_add(report.expired as u64, Ordering::Relaxed);
                    ticker_counts.drifts_seen.fetch_add(report.drifts_seen as u64, Ordering::Relaxed);
                    ticker_counts.takes_returned.fetch_add(report.takes_returned as u64, Ordering::Relaxed);
                }
                Err(e) => {
                    ticker_counts.errors.fetch_add(1, Ordering::Relaxed);
                    eprintln!("maintenance::run failed: {e}");
                }
            }
        }
    });
    // The reconciler on its own, every second, racing the buyers and the admin.
    let stop = Arc::new(AtomicBool::new(false));
    let reconciled = Arc::new(Reconciled::default());
    let reconciler = {
        let (app, stop, counts) = (app.clone(), stop.clone(), reconciled.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_secs(1)).await;
                match maintenance::reconcile(&app).await {
                    Ok(result) => {
                        counts.runs.fetch_add(1, Ordering::Relaxed);
                        counts.takes_returned.fetch_add(result.takes_returned as u64, Ordering::Relaxed);
                        counts.drifts_seen.fetch_add(result.drifts_seen as u64, Ordering::Relaxed);
                        *counts.last.lock().expect("lock") = format!("{result:?}");
                    }
                    Err(e) => {
                        counts.errors.fetch_add(1, Ordering::Relaxed);
                        eprintln!("maintenance::reconcile failed: {e}");
                    }
                }
            }
        })
    };

    let http = reqwest::Client::builder().pool_max_idle_per_host(args.concurrency * 2).build()?;
    let (_, admin) = harness::user_with_role(&app, Role::Admin, "admin@soak.local").await?;
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

    let edits = Arc::new(Edits::default());
    let admin_task = tokio::spawn(admin_loop(
        http.clone(),
        base.clone(),
        admin.clone(),
        event_id.clone(),
        args.seed,
        edits.clone(),
        stop.clone(),
    ));

    let started = Instant::now();
    let semaphore = Arc::new(tokio::sync::Semaphore::new(args.concurrency));
    let mut tasks = Vec::new();
    let mut tally: HashMap<&'static str, u64> = HashMap::new();
    for i in 0..args.buyers {
        let email = format!("{}@soak.local", harness::unique_name("buyer"));
        let token = harness::user_with_role(&app, Role::Buyer, &email).await?.1;
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
    // The buyers are done: the admin (who resumes the event if it left it paused) and the
    // reconciler stop, so that nothing is half-way when the stock is checked.
    stop.store(true, Ordering::Relaxed);
    admin_task.await?;
    reconciler.await?;
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

    let mut ok = check(&app, &event_id, &mut tally).await?;
    let violations = stock_model::check(&app, &event_id, false).await?;
    for v in &violations {
        println!("  VIOLATION {v}");
    }
    println!(
        "  stock model invariants (per lot, half-price share, paid tickets): {}",
        if violations.is_empty() { "hold" } else { "BROKEN" }
    );
    ok &= violations.is_empty();
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
    let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
    println!(
        "  admin edits: {} ok, {} refused (409/412), {} other ({} 5xx/transport); pauses {} (refused {}), resumes {} (refused {})",
        n(&edits.ok),
        n(&edits.refused),
        n(&edits.other),
        n(&edits.failed),
        n(&edits.pauses),
        n(&edits.pauses_refused),
        n(&edits.resumes),
        n(&edits.resumes_refused)
    );
    println!(
        "  reconciler: {} runs, {} errors, takes_returned {}, drifts seen {}; last {}",
        n(&reconciled.runs),
        n(&reconciled.errors),
        n(&reconciled.takes_returned),
        n(&reconciled.drifts_seen),
        reconciled.last.lock().expect("lock")
    );
    println!(
        "  maintenance: {} runs, {} errors, {} expired, takes_returned {}, drifts seen {}",
        n(&maintained.runs),
        n(&maintained.errors),
        n(&maintained.expired),
        n(&maintained.takes_returned),
        n(&maintained.drifts_seen)
    );
    let takes_returned = n(&reconciled.takes_returned) + n(&maintained.takes_returned);
    println!("  takes_returned (reconciler + maintenance): {takes_returned}");
    ok &= n(&edits.failed) == 0 && n(&reconciled.errors) == 0 && n(&maintained.errors) == 0;
    harness::cleanup(&config).await;
    if !ok {
        std::process::exit(1);
    }
    Ok(())
}

#[derive(Default)]
struct Maintained {
    runs: AtomicU64,
    errors: AtomicU64,
    expired: AtomicU64,
    drifts_seen: AtomicU64,
    takes_returned: AtomicU64,
}

#[derive(Default)]
struct Reconciled {
    runs: AtomicU64,
    errors: AtomicU64,
    takes_returned: AtomicU64,
    drifts_seen: AtomicU64,
    last: Mutex<String>,
}

#[derive(Default)]
struct Edits {
    ok: AtomicU64,
    refused: AtomicU64,
    other: AtomicU64,
    pauses: AtomicU64,
    pauses_refused: AtomicU64,
    resumes: AtomicU64,
    resumes_refused: AtomicU64,
    /// 5xx answers and transport errors (a subset of `other`): the soak fails on any.
    failed: AtomicU64,
}

/// The admin: every ~300 ms either edits a sector's capacity a few tickets up or down (GET
/// the event, PUT it back changed with `If-Match` on the version read), or pauses the event
/// now and then and resumes it a tick or two later. Leaves it active when told to stop.
async fn admin_loop(
    http: reqwest::Client,
    base: String,
    admin: String,
    event: String,
    seed: u64,
    counts: Arc<Edits>,
    stop: Arc<AtomicBool>,
) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed ^ 0xad_0000);
    let mut paused_for: Option<u32> = None;
    let mut others_shown = 0;
    let mut show = |what: &str, status: u16, body: &str| {
        if status == 0 || status >= 500 {
            counts.failed.fetch_add(1, Ordering::Relaxed);
        }
        if others_shown < 5 {
            others_shown += 1;
            eprintln!("admin {what}: {status} {}", body.chars().take(300).collect::<String>());
        }
    };
    loop {
        let stopping = stop.load(Ordering::Relaxed);
        if stopping && paused_for.is_none() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let status_change = match paused_for {
            Some(ticks) if stopping || ticks >= 2 || rng.random_bool(0.4) => Some("active"),
            Some(ticks) => {
                paused_for = Some(ticks + 1);
                None
            }
            None if rng.random_bool(0.08) => Some("paused"),
            None => None,
        };
        if let Some(status) = status_change {
            let r = http
                .patch(format!("{base}/api/v1/admin/events/{event}/status"))
                .bearer_auth(&admin)
                .json(&json!({"status": status}))
                .send()
                .await;
            let (code, body) = match r {
                Ok(r) => (r.status().as_u16(), r.text().await.unwrap_or_default()),
                Err(e) => (0, e.to_string()),
            };
            let pausing = status == "paused";
            match code {
                200 if pausing => {
                    counts.pauses.fetch_add(1, Ordering::Relaxed);
                    paused_for = Some(0);
                }
                200 => {
                    counts.resumes.fetch_add(1, Ordering::Relaxed);
                    paused_for = None;
                }
                409 | 412 if pausing => {
                    counts.pauses_refused.fetch_add(1, Ordering::Relaxed);
                }
                409 | 412 => {
                    counts.resumes_refused.fetch_add(1, Ordering::Relaxed);
                }
                _ => {
                    counts.other.fetch_add(1, Ordering::Relaxed);
                    show(status, code, &body);
                    if !pausing && stopping {
                        return; // do not loop for ever on a resume that keeps failing
                    }
                }
            }
            continue;
        }
        if stopping {
            continue;
        }
        // An edit: GET, change one sector's last lot by a few tickets, PUT with If-Match.
        let list = match http.get(format!("{base}/api/v1/admin/events")).bearer_auth(&admin).send().await {
            Ok(r) => r.json::<Value>().await.unwrap_or(Value::Null),
            Err(_) => Value::Null,
        };
        let Some(view) = list.as_array().and_then(|a| a.iter().find(|e| e["id"] == event.as_str())).cloned() else {
            counts.other.fetch_add(1, Ordering::Relaxed);
            show("GET", 0, &list.to_string());
            continue;
        };
        let (sector, lot) = if rng.random_bool(0.6) { ("Pista", 1) } else { ("VIP", 0) };
        let mut delta = rng.random_range(-5..=5);
        if delta == 0 {
            delta = 1;
        }
        let mut input = stock_model::input_from_view(&view);
        if !stock_model::change_lot(&mut input, sector, lot, delta) {
            counts.other.fetch_add(1, Ordering::Relaxed);
            show("edit body", 0, &view.to_string());
            continue;
        }
        let mut req = http.put(format!("{base}/api/v1/admin/events/{event}")).bearer_auth(&admin).json(&input);
        if let Some(tag) = stock_model::if_match(&view) {
            req = req.header("If-Match", tag);
        }
        let (code, body) = match req.send().await {
            Ok(r) => (r.status().as_u16(), r.text().await.unwrap_or_default()),
            Err(e) => (0, e.to_string()),
        };
        match code {
            200 => counts.ok.fetch_add(1, Ordering::Relaxed),
            409 | 412 => counts.refused.fetch_add(1, Ordering::Relaxed),
            _ => {
                show("PUT", code, &body);
                counts.other.fetch_add(1, Ordering::Relaxed)
            }
        };
    }
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
        .json(&json!({"event_id": event, "sector": sector, "price_type": price_type, "quantity": quantity,
                      "entitlement": (price_type == "half").then_some("student")}))
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
