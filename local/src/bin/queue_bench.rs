//! `bilheteria-queue-bench`: an on-sale through the waiting room. A program, not a timed test.
//!
//! In one process: the local router on the configured MongoDB, with the waiting rooms' 1 s
//! tick, and an event of `--stock` tickets in queue mode opening `--opens-after` seconds
//! in. `--buyers` simulated buyers (each an account with a CPF, a real signed token) join
//! over `--join-seconds`, open loop; those who came before the opening learn their drawn
//! place by joining again a random moment within `--rejoin-spread` seconds after it, as the
//! site does. Each polls the status every `--poll-seconds` through one of `--edges`
//! simulated CloudFront edges (each keeps the answer its one-second TTL allows, and only it
//! asks the origin); when the counter reaches their place they trade it for an admission
//! and reserve 1 to `--max-per-order` tickets. Every HTTP call goes through one pool of
//! `--concurrency` connections.
//!
//! Reported: join p50/p99, status p99 (the origin's, as the edges see it), admitted per second
//! against the set rate, the share of admitted buyers who found stock, and the time from the
//! stock running out (observed in the database every 50 ms) to every waiting buyer told.

use bilheteria::auth::Subject;
use bilheteria::domain::{EventId, Role, UserId};
use bilheteria_local::{scheduler, server};
use bilheteria_testkit::harness;
use chrono::Utc;
use clap::Parser;
use hdrhistogram::Histogram;
use rand::Rng;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

#[derive(Parser, Debug, Clone)]
#[command(about = "An on-sale through the waiting room: joins, status, admission, purchases")]
struct Args {
    #[arg(long, default_value_t = 100_000)]
    buyers: usize,
    #[arg(long, default_value_t = 60)]
    join_seconds: u64,
    #[arg(long, default_value_t = 30)]
    opens_after: u64,
    #[arg(long, default_value_t = 10_000)]
    stock: i64,
    #[arg(long, default_value_t = 4)]
    max_per_order: i64,
    /// The admission rate the admin sets (buyers per minute).
    #[arg(long, default_value_t = 6_000)]
    rate_per_minute: i64,
    #[arg(long, default_value_t = 32)]
    edges: usize,
    #[arg(long, default_value_t = 2.0)]
    poll_seconds: f64,
    #[arg(long, default_value_t = 20.0)]
    rejoin_spread: f64,
    #[arg(long, default_value_t = 512)]
    concurrency: usize,
    /// Give up this long after the last join.
    #[arg(long, default_value_t = 120)]
    tail_seconds: u64,
    #[arg(long)]
    json_out: Option<std::path::PathBuf>,
    /// Per-second timeline (CSV) for the chart.
    #[arg(long)]
    timeline_out: Option<std::path::PathBuf>,
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// What a simulated edge holds: the status it last fetched.
type Edge = RwLock<Option<Value>>;

/// One sample a second: (seconds since the start, queue length, serving counter, tickets on sale).
type Sample = (f64, i64, i64, i64);

#[derive(Default)]
struct Tally {
    joins: Mutex<Option<Histogram<u64>>>,
    statuses: Mutex<Option<Histogram<u64>>>,
    admitted: AtomicUsize,
    found_stock: AtomicUsize,
    found_none: AtomicUsize,
    told_sold_out: AtomicUsize,
    failures: AtomicUsize,
    /// Milliseconds after the stock ran out when each buyer waiting then was told.
    told_after_ms: Mutex<Vec<i64>>,
    /// Buyers who joined after it: told how many milliseconds after joining.
    told_on_arrival_ms: Mutex<Vec<i64>>,
    /// When the stock ran out (ms since the start), -1 before.
    sold_out_at_ms: AtomicI64,
}

fn record(slot: &Mutex<Option<Histogram<u64>>>, micros: u64) {
    if let Ok(mut h) = slot.lock() {
        let h = h.get_or_insert_with(|| Histogram::new(3).unwrap_or_else(|_| unreachable!("3 significant digits")));
        let _ = h.record(micros.max(1));
    }
}

fn quantile_ms(slot: &Mutex<Option<Histogram<u64>>>, q: f64) -> f64 {
    slot.lock().ok().and_then(|h| h.as_ref().map(|h| h.value_at_quantile(q) as f64 / 1000.0)).unwrap_or(0.0)
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let args = Args::parse();
    let mut config = harness::fresh_config("queuebench");
    // As deployed: each instance keeps rooms and stock for a second.
    config.availability_cache_ms = 1_000;
    let app = harness::app_for(config).await?;
    let base = server::serve_api_in_background(&app).await?;
    tokio::spawn(scheduler::run_queue_ticks(app.clone(), Duration::from_secs(1)));
    let http = reqwest::Client::builder().pool_max_idle_per_host(args.concurrency).build()?;
    let (_, admin) =
        harness::user_with_role(&app, Role::Admin, &format!("{}@bench.local", harness::unique_name("admin"))).await?;
    let created: Value = http
        .post(format!("{base}/api/v1/admin/events"))
        .bearer_auth(&admin)
        .json(&json!({"name": "Festival de Verão", "venue": "Autódromo", "starts_at": "2030-01-01T20:00:00Z",
                      "max_per_order": args.max_per_order,
                      "sectors": [{"name": "Pista", "price_cents": 25_000, "capacity": args.stock}]}))
        .send()
        .await?
        .json()
        .await?;
    let event = EventId::parse(created["id"].as_str().ok_or("no event id")?).ok_or("bad event id")?;
    let started = Instant::now();
    let opens_at = Utc::now() + chrono::Duration::seconds(args.opens_after as i64);
    let configured = http
        .put(format!("{base}/api/v1/admin/events/{event}/queue"))
        .bearer_auth(&admin)
        .json(&json!({"enabled": true, "opens_at": opens_at, "rate_per_minute": args.rate_per_minute}))
        .send()
        .await?;
    if !configured.status().is_success() {
        return Err(format!("queue mode refused: {}", configured.text().await?).into());
    }
    // The buyers' tokens, minted as the auth function would (the accounts themselves are not
    // read by these routes: the token carries the CPF).
    let tokens: Vec<String> = (0..args.buyers)
        .map(|_| {
            let (user, cpf) = (UserId::generate(), harness::random_cpf());
            app.tokens
                .issue(Subject { user_id: &user, role: Role::Buyer, cpf: Some(&cpf) }, Utc::now())
                .map(|t| t.access_token)
        })
        .collect::<Result<_, _>>()?;

    let tally = Arc::new(Tally { sold_out_at_ms: AtomicI64::new(-1), ..Tally::default() });
    let edges: Arc<Vec<Edge>> = Arc::new((0..args.edges).map(|_| RwLock::new(None)).collect());
    let gate = Arc::new(tokio::sync::Semaphore::new(args.concurrency));
    let status_url = format!("{base}/api/v1/events/{event}/queue/status");
    let mut background = tokio::task::JoinSet::new();
    for (i, _) in edges.iter().enumerate() {
        let (edges, http, url, tally) = (edges.clone(), http.clone(), status_url.clone(), tally.clone());
        let offset = Duration::from_millis((1000 * i / args.edges.max(1)) as u64);
        background.spawn(async move {
            tokio::time::sleep(offset).await;
            let mut every = tokio::time::interval(Duration::from_secs(1));
            loop {
                every.tick().await;
                let asked = Instant::now();
                if let Ok(reply) = http.get(&url).send().await {
                    if let Ok(body) = reply.json::<Value>().await {
                        record(&tally.statuses, asked.elapsed().as_micros() as u64);
                        if let Ok(mut edge) = edges[i].write() {
                            *edge = Some(body);
                        }
                    }
                }
            }
        });
    }
    // The truth, for the timeline and the sold-out moment: the database every 50 ms.
    let timeline: Arc<Mutex<Vec<Sample>>> = Arc::default();
    {
        let (app, event, tally, timeline) = (app.clone(), event.clone(), tally.clone(), timeline.clone());
        background.spawn(async move {
            let mut every = tokio::time::interval(Duration::from_millis(50));
            let mut last_second = -1.0;
            loop {
                every.tick().await;
                let stock = app.inventory.stock(std::slice::from_ref(&event)).await.ok();
                let available: i64 = stock
                    .and_then(|s| s.get(&event).map(|sectors| sectors.values().map(|s| s.available).sum()))
                    .unwrap_or(-1);
                let t = started.elapsed().as_secs_f64();
                if available == 0 && tally.sold_out_at_ms.load(Ordering::SeqCst) < 0 {
                    tally.sold_out_at_ms.store((t * 1000.0) as i64, Ordering::SeqCst);
                }
                if t.floor() > last_second {
                    last_second = t.floor();
                    if let Ok(Some(room)) = app.waiting_rooms.find(&event).await {
                        if let Ok(mut tl) = timeline.lock() {
                            tl.push((t, room.length(), room.serving, available));
                        }
                    }
                }
            }
        });
    }

    let opens_in = Duration::from_secs(args.opens_after);
    let deadline = Duration::from_secs(args.join_seconds + args.tail_seconds);
    let mut buyers = tokio::task::JoinSet::new();
    for (i, token) in tokens.into_iter().enumerate() {
        let join_at = Duration::from_secs_f64(args.join_seconds as f64 * i as f64 / args.buyers as f64);
        let (http, base, event, tally, edges, gate, args) =
            (http.clone(), base.clone(), event.clone(), tally.clone(), edges.clone(), gate.clone(), args.clone());
        buyers.spawn(async move {
            tokio::time::sleep_until(tokio::time::Instant::from_std(started + join_at)).await;
            let buyer = Buyer { http, base, event, token, tally: tally.clone(), gate, started };
            if tokio::time::timeout(
                deadline.saturating_sub(join_at),
                buyer.run(&args, &edges[i % args.edges], opens_in),
            )
            .await
            .is_err()
            {
                tally.failures.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    while buyers.join_next().await.is_some() {}
    let wall = started.elapsed().as_secs_f64();
    background.abort_all();
    report(&args, &tally, &timeline, wall)
}

struct Buyer {
    http: reqwest::Client,
    base: String,
    event: EventId,
    token: String,
    tally: Arc<Tally>,
    gate: Arc<tokio::sync::Semaphore>,
    started: Instant,
}

impl Buyer {
    /// A POST through the client's connection pool; the time is the server's answer's,
    /// from the send (not the wait for a free connection).
    async fn post(&self, path: &str, body: Value) -> Option<(u16, Value, Duration)> {
        let _permit = self.gate.acquire().await.ok()?;
        let sent = Instant::now();
        let reply =
            self.http.post(format!("{}{path}", self.base)).bearer_auth(&self.token).json(&body).send().await.ok()?;
        let status = reply.status().as_u16();
        let body = reply.json().await.unwrap_or(Value::Null);
        Some((status, body, sent.elapsed()))
    }

    async fn join(&self) -> Option<Value> {
        let (status, body, took) = self.post(&format!("/api/v1/events/{}/queue", self.event), json!({})).await?;
        record(&self.tally.joins, took.as_micros() as u64);
        (status == 200).then_some(body)
    }

    /// Reserves `quantity`, or fewer when fewer are left (as a buyer would, once).
    async fn reserve(&self, quantity: i64, admission: &Value) -> Option<u16> {
        let mut quantity = quantity;
        loop {
            let order = json!({"event_id": self.event, "sector": "Pista", "price_type": "full",
                               "quantity": quantity, "admission_token": admission["admission_token"]});
            let (status, body, _) = self.post("/api/v1/orders", order).await?;
            if status == 409 && body["code"] == "fewer_left" && quantity > 1 {
                quantity = 1;
                continue;
            }
            return Some(status);
        }
    }

    async fn run(self, args: &Args, edge: &Edge, opens_in: Duration) {
        let joined_at = self.started.elapsed().as_millis() as i64;
        let Some(mut place) = self.join().await else {
            self.tally.failures.fetch_add(1, Ordering::Relaxed);
            return;
        };
        if place["place"].is_null() {
            // Before the opening: join again a random moment after it to learn the draw.
            let spread = rand::rng().random_range(0.0..args.rejoin_spread.max(0.001));
            tokio::time::sleep_until(tokio::time::Instant::from_std(
                self.started + opens_in + Duration::from_secs_f64(spread),
            ))
            .await;
            match self.join().await {
                Some(p) if !p["place"].is_null() => place = p,
                _ => {
                    self.tally.failures.fetch_add(1, Ordering::Relaxed);
                    return;
                }
            }
        }
        let number = place["place"].as_i64().unwrap_or(i64::MAX);
        let place_token = place["token"].as_str().unwrap_or_default().to_string();
        loop {
            let jitter = rand::rng().random_range(0.75..1.25);
            tokio::time::sleep(Duration::from_secs_f64(args.poll_seconds * jitter)).await;
            let Some(status) = edge.read().ok().and_then(|s| s.clone()) else { continue };
            let serving = status["serving"].as_i64().unwrap_or(0);
            if status["sold_out"] == true && serving < number {
                let sold_out_at = self.tally.sold_out_at_ms.load(Ordering::SeqCst);
                let told_at = self.started.elapsed().as_millis() as i64;
                let (list, since) = if sold_out_at >= 0 && joined_at <= sold_out_at {
                    (&self.tally.told_after_ms, sold_out_at)
                } else {
                    (&self.tally.told_on_arrival_ms, joined_at)
                };
                if let Ok(mut told) = list.lock() {
                    told.push(told_at - since);
                }
                self.tally.told_sold_out.fetch_add(1, Ordering::Relaxed);
                return;
            }
            if serving < number {
                continue;
            }
            let path = format!("/api/v1/events/{}/queue/admission", self.event);
            match self.post(&path, json!({"token": place_token})).await {
                Some((200, admission, _)) => {
                    self.tally.admitted.fetch_add(1, Ordering::Relaxed);
                    let quantity = rand::rng().random_range(1..=args.max_per_order);
                    match self.reserve(quantity, &admission).await {
                        Some(201) => self.tally.found_stock.fetch_add(1, Ordering::Relaxed),
                        Some(409) => self.tally.found_none.fetch_add(1, Ordering::Relaxed),
                        _ => self.tally.failures.fetch_add(1, Ordering::Relaxed),
                    };
                    return;
                }
                Some((410, ..)) => {
                    self.tally.told_sold_out.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                Some((409, ..)) => continue, // this edge was ahead of the origin's copy
                _ => {
                    self.tally.failures.fetch_add(1, Ordering::Relaxed);
                    return;
                }
            }
        }
    }
}

fn report(args: &Args, tally: &Tally, timeline: &Mutex<Vec<Sample>>, wall: f64) -> Result<(), Failure> {
    let timeline = timeline.lock().map_err(|_| "poisoned")?.clone();
    let sold_out_at = tally.sold_out_at_ms.load(Ordering::SeqCst);
    let opens = args.opens_after as f64;
    // Admitted per second while the rate, not the stock, sets the pace: 20 s from just after
    // the opening (or until the stock ran out, if sooner).
    let until = (opens + 22.0).min(if sold_out_at >= 0 { sold_out_at as f64 / 1000.0 } else { wall });
    let paced: Vec<&Sample> = timeline.iter().filter(|(t, ..)| *t >= opens + 2.0 && *t <= until).collect();
    let admitted_per_second = match (paced.first(), paced.last()) {
        (Some(a), Some(b)) if b.0 > a.0 => (b.2 - a.2) as f64 / (b.0 - a.0),
        _ => 0.0,
    };
    let told = {
        let mut t = tally.told_after_ms.lock().map_err(|_| "poisoned")?.clone();
        t.sort_unstable();
        t
    };
    let pct =
        |q: f64| told.get(((told.len() as f64 * q) as usize).min(told.len().saturating_sub(1))).copied().unwrap_or(0);
    let arrivals = {
        let mut t = tally.told_on_arrival_ms.lock().map_err(|_| "poisoned")?.clone();
        t.sort_unstable();
        t
    };
    let arrival_p99 = arrivals
        .get(((arrivals.len() as f64 * 0.99) as usize).min(arrivals.len().saturating_sub(1)))
        .copied()
        .unwrap_or(0);
    let admitted = tally.admitted.load(Ordering::Relaxed);
    let found = tally.found_stock.load(Ordering::Relaxed);
    let share_found = if admitted > 0 { found as f64 / admitted as f64 } else { 0.0 };
    let failures = tally.failures.load(Ordering::Relaxed);
    println!(
        "{} buyers joined over {} s (opening at {} s), stock {}, rate {}/min; wall {:.1} s",
        args.buyers, args.join_seconds, args.opens_after, args.stock, args.rate_per_minute, wall
    );
    println!(
        "join ms: p50 {:.1}, p99 {:.1}; status ms (origin, via {} edges): p50 {:.1}, p99 {:.1}",
        quantile_ms(&tally.joins, 0.5),
        quantile_ms(&tally.joins, 0.99),
        args.edges,
        quantile_ms(&tally.statuses, 0.5),
        quantile_ms(&tally.statuses, 0.99)
    );
    println!("admitted {:.1}/s against a set {:.1}/s while stock lasted; admitted {admitted}, found stock {found} ({:.1}%), found none {}",
        admitted_per_second, args.rate_per_minute as f64 / 60.0, share_found * 100.0, tally.found_none.load(Ordering::Relaxed));
    println!("stock ran out at {:.1} s; {} waiting buyers told sold out: p50 {:.1} s, p99 {:.1} s, all {:.1} s after it; failures {failures}",
        sold_out_at as f64 / 1000.0, told.len(), pct(0.5) as f64 / 1000.0, pct(0.99) as f64 / 1000.0,
        told.last().copied().unwrap_or(0) as f64 / 1000.0);
    println!(
        "{} buyers who joined after it were told within {:.1} s of joining (p99)",
        arrivals.len(),
        arrival_p99 as f64 / 1000.0
    );
    if let Some(path) = &args.timeline_out {
        let mut csv = String::from("t_s,length,serving,available\n");
        for (t, length, serving, available) in &timeline {
            csv.push_str(&format!("{t:.2},{length},{serving},{available}\n"));
        }
        std::fs::write(path, csv)?;
    }
    if let Some(path) = &args.json_out {
        use std::io::Write;
        let line = json!({
            "bench": "queue", "buyers": args.buyers, "join_seconds": args.join_seconds, "opens_after": args.opens_after,
            "stock": args.stock, "rate_per_minute": args.rate_per_minute, "edges": args.edges, "wall_s": wall,
            "join_p50_ms": quantile_ms(&tally.joins, 0.5), "join_p99_ms": quantile_ms(&tally.joins, 0.99),
            "status_p50_ms": quantile_ms(&tally.statuses, 0.5), "status_p99_ms": quantile_ms(&tally.statuses, 0.99),
            "admitted_per_second": admitted_per_second, "set_per_second": args.rate_per_minute as f64 / 60.0,
            "admitted": admitted, "found_stock": found, "share_found": share_found,
            "sold_out_at_s": sold_out_at as f64 / 1000.0, "told": told.len(),
            "told_p50_s": pct(0.5) as f64 / 1000.0, "told_p99_s": pct(0.99) as f64 / 1000.0,
            "told_all_s": told.last().copied().unwrap_or(0) as f64 / 1000.0, "failures": failures,
            "told_on_arrival": arrivals.len(), "told_on_arrival_p99_s": arrival_p99 as f64 / 1000.0,
        });
        writeln!(std::fs::OpenOptions::new().create(true).append(true).open(path)?, "{line}")?;
    }
    if failures > 0 {
        return Err(format!("{failures} buyers failed (an error answer or no end within the run)").into());
    }
    Ok(())
}
