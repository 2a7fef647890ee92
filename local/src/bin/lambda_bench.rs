//! `bilheteria-lambda-bench`: the functions measured as Lambda runs them, side by side with
//! the local router, in one run against the same database server and broker:
//!
//! - reservations (a) on standard Lambda's shape: `--standard-environments` processes of the
//!   real `orders` release binary, one request at a time each; (b) on Managed Instances'
//!   shape: `--managed-environments` processes with `AWS_LAMBDA_MAX_CONCURRENCY`; (c) through
//!   the local router; in interleaved rounds, the median reported;
//! - the consumer: one `processing` environment per lane, fed by emulated Amazon MQ
//!   event-source mappings: how fast it drains a backlog of paid reservations, and the
//!   payment-to-paid latency while `--offered` reservations/s arrive through (b);
//! - the event page: `GET /events/{id}` the old way (stock read on every request) and the new
//!   (this instance's copy of a second ago, and 304s to clients revalidating).
//!
//! The functions' binaries come from `cargo build --release -p orders -p processing`
//! (`make bench-lambda` builds them). A program, not a test: `docs/benchmarks.md` has its
//! figures.

use bilheteria::domain::Role;
use bilheteria::{App, Config};
use bilheteria_local::lambda_bench::consumer::{self, LaneSettings, Lanes};
use bilheteria_local::lambda_bench::drive::{self, Figures};
use bilheteria_local::lambda_bench::reads::{self, Readers};
use bilheteria_local::lambda_bench::{server_commands_by_kind, server_requests, BoxError, Target};
use bilheteria_local::lambda_emulator::environments::{release_binary, Environments, Shape};
use bilheteria_local::lambda_emulator::RuntimeApi;
use bilheteria_local::server;
use bilheteria_testkit::harness;
use clap::Parser;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
#[command(about = "The reservation path, the consumer and the event page measured in Lambda's shapes")]
struct Args {
    /// Concurrent buyers (and readers), each with its own token.
    #[arg(long, default_value_t = 64)]
    buyers: usize,
    /// Reservations per shape per round.
    #[arg(long, default_value_t = 10_000)]
    requests: u64,
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// (a): single-concurrency environments of `orders`.
    #[arg(long, default_value_t = 64)]
    standard_environments: usize,
    /// (b): environments of `orders` serving `--max-concurrency` requests each.
    #[arg(long, default_value_t = 2)]
    managed_environments: usize,
    #[arg(long, default_value_t = 32)]
    max_concurrency: usize,
    /// Queues (lanes) the consumer reads, one mapping and one environment each.
    #[arg(long, default_value_t = 4)]
    lanes: u16,
    /// Messages of different orders a consumer invocation works on at once.
    #[arg(long, default_value_t = 16)]
    consumer_concurrency: usize,
    /// The mappings' batch size and batching window.
    #[arg(long, default_value_t = 25)]
    batch_size: usize,
    #[arg(long, default_value_t = 20)]
    batch_window_ms: u64,
    /// Paid reservations left waiting for the consumer before it starts (the drain).
    #[arg(long, default_value_t = 6_000)]
    backlog: u64,
    /// Reservations per second offered while measuring payment-to-paid (several: one run each).
    #[arg(long, value_delimiter = ',', default_values_t = vec![2_000.0])]
    offered: Vec<f64>,
    #[arg(long, default_value_t = 10)]
    offered_seconds: u64,
    /// Event-page reads per read shape per round.
    #[arg(long, default_value_t = 40_000)]
    reads: u64,
    /// Only these parts (reservations, consumer, reads); all by default.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Append every figure as a JSON line here (for docs/benchmarks.md's table and chart).
    #[arg(long)]
    json_out: Option<std::path::PathBuf>,
}

impl Args {
    fn runs(&self, part: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|p| p == part)
    }
}

struct Bench {
    args: Args,
    config: Config,
    app: App,
    router: Target,
    event: String,
    buyers: Vec<String>,
    lambda_config: Vec<(String, String)>,
    out: Vec<Value>,
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args = Args::parse();
    let mut config = harness::fresh_config("lambdabench");
    config.order_lanes = args.lanes;
    config.consumer_concurrency = args.consumer_concurrency;
    config.availability_cache_ms = 1_000;
    bilheteria::adapters::rabbit::ensure_topology(&config).await?;
    let app = harness::app_for(config.clone()).await?;
    let router = Target::Router { http: http_client(args.buyers), base: server::serve_api_in_background(&app).await? };
    let (_, admin) =
        harness::user_with_role(&app, Role::Admin, &format!("{}@bench.local", harness::unique_name("admin"))).await?;
    let event = create_event(&router, &admin).await?;
    let mut buyers = Vec::with_capacity(args.buyers);
    for _ in 0..args.buyers {
        let email = format!("{}@bench.local", harness::unique_name("buyer"));
        buyers.push(harness::user_with_role(&app, Role::Buyer, &email).await?.1);
    }
    let lambda_config = lambda_environment(&config);
    let mut bench = Bench { args, config, app, router, event, buyers, lambda_config, out: Vec::new() };
    println!("bilheteria-lambda-bench: {} buyers, event {}", bench.args.buyers, bench.event);

    let outcome = run(&mut bench).await;
    if let Some(path) = &bench.args.json_out {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
        for line in &bench.out {
            writeln!(file, "{line}")?;
        }
    }
    let oversold = oversold(&bench.app, &bench.event).await?;
    println!("oversold: {}", if oversold { "YES (sold + available != capacity)" } else { "no" });
    harness::cleanup(&bench.config).await;
    outcome?;
    if oversold {
        std::process::exit(1);
    }
    Ok(())
}

async fn run(bench: &mut Bench) -> Result<(), BoxError> {
    let managed = if bench.args.runs("reservations") || bench.args.runs("consumer") {
        Some(
            start_orders(bench, "orders-managed", bench.args.managed_environments, Some(bench.args.max_concurrency))
                .await?,
        )
    } else {
        None
    };
    if bench.args.runs("reservations") {
        let managed = managed.as_ref().map(|(api, _)| Target::Lambda(api.clone())).ok_or("no managed shape")?;
        reservations(bench, managed).await?;
    }
    if bench.args.runs("consumer") {
        let managed = managed.as_ref().map(|(api, _)| Target::Lambda(api.clone())).ok_or("no managed shape")?;
        consumer_shape(bench, &managed).await?;
    }
    if let Some((_, environments)) = managed {
        environments.stop().await;
    }
    if bench.args.runs("reads") {
        event_page(bench).await?;
    }
    Ok(())
}

/// (a), (b) and (c) in interleaved rounds, each shape's median by throughput.
async fn reservations(bench: &mut Bench, managed: Target) -> Result<(), BoxError> {
    let (standard_api, standard) =
        start_orders(bench, "orders-standard", bench.args.standard_environments, None).await?;
    let shapes = [
        (format!("(a) standard: {} envs x 1", bench.args.standard_environments), Target::Lambda(standard_api)),
        (format!("(b) managed: {} envs x {}", bench.args.managed_environments, bench.args.max_concurrency), managed),
        ("(c) local router".to_string(), bench.router.clone()),
    ];
    let db = bench.app.stores.database();
    for (shape, target) in &shapes {
        drive::reservations(shape, target, &bench.buyers, &bench.event, 512, db).await?;
        // warm-up
    }
    let mut runs: HashMap<String, Vec<Figures>> = HashMap::new();
    println!("\nreservations, {} buyers, {} per shape per round:", bench.args.buyers, bench.args.requests);
    for round in 1..=bench.args.rounds {
        for (shape, target) in &shapes {
            let figures =
                drive::reservations(shape, target, &bench.buyers, &bench.event, bench.args.requests, db).await?;
            println!("  round {round}  {}", figures.line());
            runs.entry(shape.clone()).or_default().push(figures);
        }
    }
    println!("  medians:");
    let mut medians = HashMap::new();
    for (shape, _) in &shapes {
        let median = median(runs.remove(shape).unwrap_or_default()).ok_or("no runs")?;
        println!("  {}", median.line());
        bench.out.push(json!({"section": "reservations", "median": true, "figures": median}));
        medians.insert(shape.chars().nth(1).unwrap_or('?'), median);
    }
    if let (Some(b), Some(c)) = (medians.get(&'b'), medians.get(&'c')) {
        println!("  (b) / (c) = {:.0}% of the local router's throughput", 100.0 * b.per_second / c.per_second);
    }
    standard.stop().await;
    Ok(())
}

/// The drain of a backlog, then payment-to-paid at a steady offered rate.
async fn consumer_shape(bench: &mut Bench, managed: &Target) -> Result<(), BoxError> {
    let binary =
        release_binary("processing").ok_or("no release build of `processing` (cargo build --release -p processing)")?;
    let db = bench.app.stores.database();
    let settings = LaneSettings {
        binary: &binary,
        queues: bench.config.order_queues(),
        amqp_url: &bench.config.amqp_url,
        batch_size: bench.args.batch_size,
        window: Duration::from_millis(bench.args.batch_window_ms),
        config: &bench.lambda_config,
    };
    // The backlog: paid reservations made with no consumer running, on queues emptied of the
    // reservations section's messages (nothing consumed them: they would count as backlog).
    purge(&bench.config).await?;
    let paid_before = consumer::paid(db, &bench.event).await?;
    let started = Instant::now();
    let made = purchases(&bench.router, &bench.buyers, &bench.event, bench.args.backlog).await?;
    let made_per_second = made.len() as f64 / started.elapsed().as_secs_f64();
    let commands_before = server_commands_by_kind(db).await;
    let requests_before = server_requests(db).await;
    let lanes = Lanes::start(&settings).await?;
    let drain_started = Instant::now();
    let took =
        consumer::until_paid(db, &bench.event, paid_before + made.len() as u64, Duration::from_secs(300)).await?;
    let messages = lanes.messages();
    let requests_per_order = match (requests_before, server_requests(db).await) {
        (Some(before), Some(after)) => Some(after.saturating_sub(before) as f64 / made.len() as f64),
        _ => None,
    };
    let per_order: Option<Vec<(String, f64)>> = match (commands_before, server_commands_by_kind(db).await) {
        (Some(before), Some(after)) => Some(
            after
                .iter()
                .map(|(kind, n)| {
                    (kind.clone(), (n - before.get(kind).copied().unwrap_or(0)) as f64 / made.len() as f64)
                })
                .collect(),
        ),
        _ => None,
    };
    let drained = made.len() as f64 / took.as_secs_f64();
    println!(
        "\nconsumer, {} lanes x 1 environment, batches of {} within {} ms, {} messages at once per batch:",
        bench.args.lanes, bench.args.batch_size, bench.args.batch_window_ms, bench.args.consumer_concurrency
    );
    println!(
        "  backlog of {} paid reservations (made at {made_per_second:.0}/s): drained in {:.2} s = {drained:.0} orders/s, {:.0} messages/s in {} batches",
        made.len(),
        took.as_secs_f64(),
        messages as f64 / drain_started.elapsed().as_secs_f64(),
        lanes.batches()
    );
    if let Some(kinds) = &per_order {
        let listed: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n:.1}")).collect();
        println!("  database operations per order drained (opcounters): {}", listed.join(", "));
    }
    if let Some(requests) = requests_per_order {
        println!(
            "  database requests per order drained (commands sent, the bench's own polling included): {requests:.1}"
        );
    }
    bench.out.push(json!({
        "section": "consumer_drain", "commands_per_order": per_order, "requests_per_order": requests_per_order, "lanes": bench.args.lanes, "batch_size": bench.args.batch_size,
        "batch_window_ms": bench.args.batch_window_ms, "consumer_concurrency": bench.args.consumer_concurrency,
        "orders": made.len(), "seconds": took.as_secs_f64(), "orders_per_second": drained,
        "messages": messages, "batches": lanes.batches(),
    }));

    for offered in bench.args.offered.clone() {
        // A steady offer through (b): each reservation paid at once; payment-to-paid from the DB.
        let total = (offered * bench.args.offered_seconds as f64) as u64;
        let paid_before = consumer::paid(db, &bench.event).await?;
        let started = tokio::time::Instant::now();
        let mut tasks = Vec::with_capacity(total as usize);
        for i in 0..total {
            tokio::time::sleep_until(started + Duration::from_secs_f64(i as f64 / offered)).await;
            let (target, token, event) =
                (managed.clone(), bench.buyers[i as usize % bench.buyers.len()].clone(), bench.event.clone());
            tasks.push(tokio::spawn(async move { consumer::reserve_and_pay(&target, &token, &event).await.ok() }));
        }
        let mut asked = HashMap::new();
        for task in tasks {
            if let Some((id, at)) = task.await? {
                asked.insert(id, at);
            }
        }
        let offered_for = started.elapsed().as_secs_f64();
        let waited =
            consumer::until_paid(db, &bench.event, paid_before + asked.len() as u64, Duration::from_secs(120)).await;
        let (hist, unpaid) = consumer::payment_to_paid(db, &asked).await?;
        let ms = |q: f64| hist.value_at_quantile(q) as f64 / 1000.0;
        println!(
            "  {:.0} reservations/s offered for {offered_for:.1} s through (b): {} paid, {unpaid} not paid{}; payment-to-paid p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
            offered,
            asked.len() as u64 - unpaid,
            if waited.is_err() { " (timed out)" } else { "" },
            ms(0.5),
            ms(0.99),
            hist.max() as f64 / 1000.0
        );
        bench.out.push(json!({
            "section": "payment_to_paid", "lanes": bench.args.lanes, "offered_per_second": offered,
            "orders": asked.len(), "unpaid": unpaid, "p50_ms": ms(0.5), "p90_ms": ms(0.9), "p99_ms": ms(0.99),
            "max_ms": hist.max() as f64 / 1000.0, "offered_seconds": offered_for,
        }));
    }
    lanes.stop().await;
    Ok(())
}

/// The event page, old path and new, side by side through the local router.
async fn event_page(bench: &mut Bench) -> Result<(), BoxError> {
    let mut old_config = bench.config.clone();
    old_config.availability_cache_ms = 0;
    let mut old_app = harness::app_for(old_config).await?;
    // Today's path before this change: the event read from the database on every request too.
    old_app.recent_events = old_app.events.clone();
    let old =
        Target::Router { http: http_client(bench.args.buyers), base: server::serve_api_in_background(&old_app).await? };
    let db = bench.app.stores.database();
    let shapes = [
        ("old: stock read per request", &old, false),
        ("new: 1 s instance copy", &bench.router, false),
        ("new, clients revalidating (304)", &bench.router, true),
    ];
    let readers =
        |revalidate| Readers { clients: bench.args.buyers, total: bench.args.reads, event: &bench.event, revalidate };
    for (shape, target, revalidate) in &shapes {
        reads::event_page(shape, target, &Readers { total: 2_000, ..readers(*revalidate) }, db).await?;
    }
    println!(
        "\nGET /events/{{id}}, {} clients, {} reads per shape per round (ok = 200, 409 column = 304):",
        bench.args.buyers, bench.args.reads
    );
    let mut runs: HashMap<&str, Vec<Figures>> = HashMap::new();
    for round in 1..=bench.args.rounds {
        for (shape, target, revalidate) in &shapes {
            let figures = reads::event_page(shape, target, &readers(*revalidate), db).await?;
            println!("  round {round}  {}", figures.line());
            runs.entry(shape).or_default().push(figures);
        }
    }
    println!("  medians:");
    let mut medians = Vec::new();
    for (shape, _, _) in &shapes {
        let median = median(runs.remove(shape).unwrap_or_default()).ok_or("no runs")?;
        println!("  {}", median.line());
        bench.out.push(json!({"section": "event_page", "median": true, "figures": median}));
        medians.push(median);
    }
    println!("  new / old = {:.1}x", medians[1].per_second / medians[0].per_second);
    Ok(())
}

async fn purge(config: &Config) -> Result<(), BoxError> {
    let connection = bilheteria::adapters::rabbit::connect(&config.amqp_url, "bilheteria-bench-purge").await?;
    let channel = connection.create_channel().await?;
    for queue in config.order_queues() {
        channel.queue_purge(queue.as_str().into(), Default::default()).await?;
    }
    let _ = connection.close(0, "purged".into()).await;
    Ok(())
}

fn median(mut runs: Vec<Figures>) -> Option<Figures> {
    runs.sort_by(|a, b| a.per_second.total_cmp(&b.per_second));
    runs.get(runs.len() / 2).cloned()
}

/// Starts `count` environments of the `orders` release binary behind a Runtime API of
/// their own, and waits until every one of them polls.
async fn start_orders(
    bench: &Bench,
    name: &str,
    count: usize,
    max_concurrency: Option<usize>,
) -> Result<(RuntimeApi, Environments), BoxError> {
    let binary = release_binary("orders").ok_or("no release build of `orders` (cargo build --release -p orders)")?;
    let api = RuntimeApi::start(name).await?;
    let shape = Shape { environments: count, max_concurrency, memory_mb: 1024 };
    let environments = Environments::start(&binary, &api, &shape, &bench.lambda_config)?;
    api.wait_for_environments(count * max_concurrency.unwrap_or(1), Duration::from_secs(60)).await?;
    Ok((api, environments))
}

/// `total` purchases (reserve, then pay by card) by the buyers, closed loop.
async fn purchases(target: &Target, buyers: &[String], event: &str, total: u64) -> Result<Vec<String>, BoxError> {
    let next = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut workers = Vec::new();
    for token in buyers {
        let (target, token, event, next) = (target.clone(), token.clone(), event.to_string(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut made = Vec::new();
            while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < total {
                if let Ok((id, _)) = consumer::reserve_and_pay(&target, &token, &event).await {
                    made.push(id);
                }
            }
            made
        }));
    }
    let mut made = Vec::new();
    for worker in workers {
        made.extend(worker.await?);
    }
    Ok(made)
}

/// What a function's environment is configured with (template.yaml's variables, here).
fn lambda_environment(config: &Config) -> Vec<(String, String)> {
    let seed = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, [7u8; 32]);
    [
        ("MONGODB_URI", config.mongodb_uri.clone()),
        ("MONGODB_DATABASE", config.mongodb_database.clone()),
        ("AMQP_URL", config.amqp_url.clone()),
        ("ORDERS_QUEUE", config.orders_queue.clone()),
        ("ORDER_LANES", config.order_lanes.to_string()),
        ("CONSUMER_CONCURRENCY", config.consumer_concurrency.to_string()),
        ("JWT_SECRET", config.jwt_secret.clone()),
        ("EMAIL_LINK_SECRET", config.email_link_secret.clone()),
        // The same key as the in-process app's (`Config::for_connections`), so tickets agree.
        ("TICKET_SIGNING_KEY", format!("test:{seed}")),
        ("QUEUE_TOKEN_KEY", config.queue_token_key.clone().unwrap_or_default()),
        ("PAYMENT_PROVIDER", "test".to_string()),
        ("RUST_LOG", "warn".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn http_client(connections: usize) -> reqwest::Client {
    reqwest::Client::builder().pool_max_idle_per_host(connections * 2).build().expect("an HTTP client")
}

async fn create_event(router: &Target, admin: &str) -> Result<String, BoxError> {
    let body = json!({
        "name": "Lambda Benchmark On-Sale", "venue": "Estádio", "starts_at": "2030-01-01T20:00:00Z",
        "buckets": 16, "max_per_order": 10,
        "sectors": [{"name": "Pista", "price_cents": 20_000, "capacity": CAPACITY}],
    });
    let call = bilheteria_local::lambda_bench::Call {
        method: "POST",
        route: "/api/v1/admin/events",
        path: "/api/v1/admin/events",
        token: Some(admin),
        body: Some(&body),
        if_none_match: None,
    };
    let answer = router.send(&call).await?;
    match answer.body["id"].as_str() {
        Some(id) => Ok(id.to_string()),
        None => Err(format!("the event was not created: {} {}", answer.status, answer.body).into()),
    }
}

const CAPACITY: i64 = 1_000_000;

/// Tickets in orders plus tickets left must be the capacity.
async fn oversold(app: &App, event: &str) -> Result<bool, BoxError> {
    use futures::StreamExt;
    use mongodb::bson::{doc, Document};
    let mut cursor = app
        .stores
        .database()
        .collection::<Document>("orders")
        .aggregate(vec![
            doc! {"$match": {"event_id": event, "status": {"$in": ["reserved", "payment_pending", "paid"]}}},
            doc! {"$group": {"_id": null, "n": {"$sum": "$quantity"}}},
        ])
        .await?;
    let sold = match cursor.next().await {
        Some(d) => d?.get_i64("n").unwrap_or(0),
        None => 0,
    };
    let id = bilheteria::domain::EventId::parse(event).ok_or("bad id")?;
    let stock = app.inventory.stock(std::slice::from_ref(&id)).await?;
    let available: i64 = stock.get(&id).map(|s| s.values().map(|x| x.available).sum()).unwrap_or(0);
    Ok(sold + available != CAPACITY || available < 0)
}
