//! The load: buyers reserving one ticket each time, as fast as they can (closed loop), and
//! what came of it.

use super::{server_commands, BoxError, Call, Target};
use hdrhistogram::Histogram;
use serde::Serialize;
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

#[derive(Clone, Debug, Serialize)]
pub struct Figures {
    pub shape: String,
    pub requests: u64,
    pub ok: u64,
    pub refused: u64,
    pub errors: u64,
    pub seconds: f64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Database commands per request (`serverStatus` opcounters), where the server counts.
    pub commands_per_request: Option<f64>,
}

/// One load worker: its latencies and its (ok, refused, errors) counts.
pub type Worker = tokio::task::JoinHandle<(Histogram<u64>, (u64, u64, u64))>;

pub fn histogram() -> Histogram<u64> {
    Histogram::<u64>::new_with_bounds(1, 120_000_000, 3).expect("histogram bounds")
}

impl Figures {
    pub fn of(
        shape: &str,
        hist: &Histogram<u64>,
        counts: (u64, u64, u64),
        seconds: f64,
        commands: Option<u64>,
    ) -> Self {
        let (ok, refused, errors) = counts;
        let requests = ok + refused + errors;
        let ms = |q: f64| hist.value_at_quantile(q) as f64 / 1000.0;
        Figures {
            shape: shape.to_string(),
            requests,
            ok,
            refused,
            errors,
            seconds,
            per_second: requests as f64 / seconds,
            p50_ms: ms(0.50),
            p90_ms: ms(0.90),
            p99_ms: ms(0.99),
            max_ms: hist.max() as f64 / 1000.0,
            commands_per_request: commands.map(|c| c as f64 / requests.max(1) as f64),
        }
    }

    /// The figures of a run: its workers' histograms and counts (ok, refused, errors) added
    /// up, and the database's commands since `before` (`server_commands`).
    pub async fn gathered(
        shape: &str,
        workers: Vec<Worker>,
        started: Instant,
        before: Option<u64>,
        db: &mongodb::Database,
    ) -> Result<Figures, BoxError> {
        let mut hist = histogram();
        let mut counts = (0, 0, 0);
        for worker in workers {
            let (h, c) = worker.await?;
            hist.add(h)?;
            counts = (counts.0 + c.0, counts.1 + c.1, counts.2 + c.2);
        }
        let seconds = started.elapsed().as_secs_f64();
        let commands = match (before, server_commands(db).await) {
            (Some(b), Some(a)) => Some(a.saturating_sub(b)),
            _ => None,
        };
        Ok(Figures::of(shape, &hist, counts, seconds, commands))
    }

    pub fn line(&self) -> String {
        format!(
            "{:<34} {:>8.0}/s  p50 {:>6.2} ms  p90 {:>6.2} ms  p99 {:>7.2} ms  ok/409/err {}/{}/{}  commands/req {}",
            self.shape,
            self.per_second,
            self.p50_ms,
            self.p90_ms,
            self.p99_ms,
            self.ok,
            self.refused,
            self.errors,
            self.commands_per_request.map_or("n/a".to_string(), |c| format!("{c:.2}"))
        )
    }
}

/// `total` reservations of one ticket by `buyers` (one worker each, closed loop).
pub async fn reservations(
    shape: &str,
    target: &Target,
    buyers: &[String],
    event: &str,
    total: u64,
    db: &mongodb::Database,
) -> Result<Figures, BoxError> {
    let before = server_commands(db).await;
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for token in buyers {
        let (target, token, event, next) = (target.clone(), token.clone(), event.to_string(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut hist = histogram();
            let mut counts = (0u64, 0u64, 0u64);
            let body = json!({"event_id": event, "sector": "Pista", "price_type": "full", "quantity": 1});
            while next.fetch_add(1, Ordering::Relaxed) < total {
                let sent = Instant::now();
                let call = Call {
                    method: "POST",
                    route: "/api/v1/orders",
                    path: "/api/v1/orders",
                    token: Some(&token),
                    body: Some(&body),
                    if_none_match: None,
                };
                let answer = target.send(&call).await;
                hist.record(sent.elapsed().as_micros().max(1) as u64).ok();
                match answer.map(|a| a.status) {
                    Ok(201) => counts.0 += 1,
                    Ok(409) => counts.1 += 1,
                    _ => counts.2 += 1,
                }
            }
            (hist, counts)
        }));
    }
    Figures::gathered(shape, workers, started, before, db).await
}
