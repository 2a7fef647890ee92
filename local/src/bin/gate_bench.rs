//! `bilheteria-gate-bench`: a stadium's gates opening. A program, not a timed test.
//!
//! In one process, the local router (the `gate` function) on the configured MongoDB: an
//! event with `--tickets` tickets issued and signed (written straight to the ticket store: the
//! sale is not what is measured), then `POST /gate/checkins` offered open loop at `--rate`
//! scans per second for `--seconds`, spread over `--gates` gates, each scan a real signed
//! QR; `--rescans` of them (a share) scan a ticket that already entered (a screenshot shown
//! twice), which must be refused with 409. Latency: from each scan's send to its answer.

use bilheteria::domain::{EventId, Holder, OrderId, PriceType, Role, Ticket, UserId};
use bilheteria_local::server;
use bilheteria_testkit::harness;
use chrono::Utc;
use clap::Parser;
use futures::StreamExt;
use hdrhistogram::Histogram;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
#[command(about = "Check-in throughput and latency at a gate opening")]
struct Args {
    #[arg(long, default_value_t = 60_000)]
    tickets: usize,
    /// Scans offered per second (open loop).
    #[arg(long, default_value_t = 500.0)]
    rate: f64,
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    #[arg(long, default_value_t = 20)]
    gates: usize,
    /// Share of scans that show a ticket that already entered.
    #[arg(long, default_value_t = 0.02)]
    rescans: f64,
    /// Seconds to wait between issuing the tickets and opening the gates: a real opening
    /// comes hours after the sale, and the database server digests a 60,000-document insert
    /// for a while (SecantusDB: ~15 s of stalled writes right after it, measured).
    #[arg(long, default_value_t = 30)]
    settle_seconds: u64,
    /// Seconds of unmeasured scans at `--rate` before the measured opening.
    #[arg(long, default_value_t = 20)]
    warmup_seconds: u64,
    /// Append the figures as one JSON line to this file.
    #[arg(long)]
    json_out: Option<std::path::PathBuf>,
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let args = Args::parse();
    let config = harness::fresh_config("gatebench");
    let app = harness::app_for(config).await?;
    let base = server::serve_api_in_background(&app).await?;
    let http = reqwest::Client::builder().pool_max_idle_per_host(512).build()?;
    let (_, admin) =
        harness::user_with_role(&app, Role::Admin, &format!("{}@bench.local", harness::unique_name("admin"))).await?;
    let created = http
        .post(format!("{base}/api/v1/admin/events"))
        .bearer_auth(&admin)
        .json(&json!({"name": "Final no Estádio", "venue": "Maracanã", "starts_at": "2030-01-01T20:00:00Z",
                      "sectors": [{"name": "Arquibancada", "price_cents": 10_000, "capacity": args.tickets}]}))
        .send()
        .await?
        .json::<serde_json::Value>()
        .await?;
    let event = EventId::parse(created["id"].as_str().ok_or("no event id")?).ok_or("bad event id")?;

    let setup = Instant::now();
    let now = Utc::now();
    let buyer = UserId::generate();
    let mut payloads = Vec::with_capacity(args.tickets);
    for chunk in (0..args.tickets).collect::<Vec<_>>().chunks(1_000) {
        let order = OrderId::generate();
        let mut tickets = Vec::with_capacity(chunk.len());
        for (i, _) in chunk.iter().enumerate() {
            let mut ticket = Ticket {
                code: bilheteria::services::tickets::new_code(),
                order_id: order.clone(),
                user_id: buyer.clone(),
                event_id: event.clone(),
                sector: "Arquibancada".into(),
                price_type: PriceType::Full,
                position: i as i64 + 1,
                qr_payload: String::new(),
                event_name: "Final no Estádio".into(),
                lot: "Lote 1".into(),
                holder: Holder { name: "Torcedora".into(), cpf: None },
                entitlement: None,
                key_id: app.ticket_keys()?.signing_kid().to_string(),
                issued_at: now,
                transferred_from: None,
            };
            ticket.qr_payload = bilheteria::services::tickets::sign(&app, &ticket)?;
            payloads.push(ticket.qr_payload.clone());
            tickets.push(ticket);
        }
        app.tickets.issue(&tickets).await?;
    }
    println!("setup: {} tickets issued and signed in {:.1} s", payloads.len(), setup.elapsed().as_secs_f64());

    tokio::time::sleep(Duration::from_secs(args.settle_seconds)).await;
    let total = (args.rate * args.seconds as f64) as usize;
    // Warm-up (not measured): the gates open a few minutes early on tickets of their own (the
    // last ones), so connection pools and caches are at their steady size when it counts.
    let warm = ((args.rate * args.warmup_seconds as f64) as usize).min(payloads.len().saturating_sub(total));
    let warm_started = Instant::now();
    let warm_ok = futures::stream::iter(0..warm)
        .map(|i| {
            let (http, base, admin) = (http.clone(), base.clone(), admin.clone());
            let payload = payloads[payloads.len() - 1 - i].clone();
            async move {
                let due = warm_started + Duration::from_secs_f64(i as f64 / args.rate);
                tokio::time::sleep_until(due.into()).await;
                let body = json!({"qr": payload, "gate": "Aquecimento"});
                let reply =
                    http.post(format!("{base}/api/v1/gate/checkins")).bearer_auth(&admin).json(&body).send().await;
                reply.is_ok_and(|r| r.status().is_success())
            }
        })
        .buffer_unordered(4_096)
        .filter(|ok| futures::future::ready(*ok))
        .count()
        .await;
    println!("warm-up: {warm_ok} of {warm} scans admitted in {:.1} s", warm_started.elapsed().as_secs_f64());
    let histogram = Arc::new(Mutex::new(Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?));
    let late = Arc::new(Mutex::new(Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?));
    let every = (1.0 / args.rescans.max(1e-9)).round().max(1.0) as usize;
    let started = Instant::now();
    let timeline = Arc::new(Mutex::new(vec![0u64; args.seconds as usize + 1]));
    let outcomes: Vec<(u16, bool)> = futures::stream::iter(0..total)
        .map(|i| {
            let (http, base, admin) = (http.clone(), base.clone(), admin.clone());
            let (histogram, late, timeline) = (histogram.clone(), late.clone(), timeline.clone());
            // Every `every`-th scan shows the ticket scanned 999 scans (two seconds) before (itself a first scan).
            let rescan = args.rescans > 0.0 && i % every == every - 1 && i >= 999;
            let payload = if rescan {
                payloads[(i - 999) % payloads.len()].clone()
            } else {
                payloads[i % payloads.len()].clone()
            };
            let gate = format!("Portão {}", i % args.gates + 1);
            async move {
                let due = started + Duration::from_secs_f64(i as f64 / args.rate);
                tokio::time::sleep_until(due.into()).await;
                let sent = Instant::now();
                let _ = late.lock().map(|mut l| l.record((sent - due).as_micros().max(1) as u64));
                let reply = http
                    .post(format!("{base}/api/v1/gate/checkins"))
                    .bearer_auth(&admin)
                    .json(&json!({"qr": payload, "gate": gate}))
                    .send()
                    .await;
                let status = reply.map(|r| r.status().as_u16()).unwrap_or(0);
                let took = sent.elapsed().as_micros().max(1) as u64;
                let _ = histogram.lock().map(|mut h| h.record(took));
                // The slowest answer per second of the opening (where a stall sits).
                let _ = timeline.lock().map(|mut t| {
                    let second = (i as f64 / args.rate) as usize;
                    if let Some(slot) = t.get_mut(second) {
                        *slot = (*slot).max(took);
                    }
                });
                (status, rescan)
            }
        })
        .buffer_unordered(4_096)
        .collect()
        .await;
    let elapsed = started.elapsed().as_secs_f64();
    let admitted = outcomes.iter().filter(|(s, r)| *s == 200 && !r).count();
    let refused_rescans = outcomes.iter().filter(|(s, r)| *s == 409 && *r).count();
    let rescans = outcomes.iter().filter(|(_, r)| *r).count();
    let wrong = outcomes.len() - admitted - refused_rescans;
    let h = histogram.lock().map_err(|_| "poisoned")?.clone();
    let l = late.lock().map_err(|_| "poisoned")?.clone();
    let ms = |us: u64| us as f64 / 1000.0;
    println!(
        "offered {} scans at {:.0}/s over {} s; done in {:.1} s: {:.0} scans/s",
        total,
        args.rate,
        args.seconds,
        elapsed,
        total as f64 / elapsed
    );
    println!(
        "admitted {admitted} (first scans), refused {refused_rescans} of {rescans} re-scans with 409, other outcomes {wrong}"
    );
    println!(
        "latency ms: p50 {:.1}, p90 {:.1}, p99 {:.1}, p99.9 {:.1}, max {:.1}; send lateness p99 {:.1} ms",
        ms(h.value_at_quantile(0.5)),
        ms(h.value_at_quantile(0.9)),
        ms(h.value_at_quantile(0.99)),
        ms(h.value_at_quantile(0.999)),
        ms(h.max()),
        ms(l.value_at_quantile(0.99)),
    );
    let slowest: Vec<String> =
        timeline.lock().map_err(|_| "poisoned")?.iter().map(|us| format!("{:.0}", *us as f64 / 1000.0)).collect();
    println!("slowest answer per second (ms): {}", slowest.join(" "));
    if let Some(path) = args.json_out {
        use std::io::Write;
        let line = json!({
            "bench": "gate", "tickets": args.tickets, "rate": args.rate, "seconds": args.seconds,
            "scans": total, "elapsed_s": elapsed, "admitted": admitted, "rescans": rescans,
            "rescans_refused": refused_rescans, "other": wrong,
            "p50_ms": ms(h.value_at_quantile(0.5)), "p99_ms": ms(h.value_at_quantile(0.99)), "max_ms": ms(h.max()),
        });
        writeln!(std::fs::OpenOptions::new().create(true).append(true).open(path)?, "{line}")?;
    }
    if wrong > 0 {
        return Err(format!("{wrong} scans had an unexpected outcome").into());
    }
    Ok(())
}
