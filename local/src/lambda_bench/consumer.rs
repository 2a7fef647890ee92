//! The consumer's shape: one `processing` environment per lane, each fed by its own emulated
//! Amazon MQ event-source mapping (one invocation at a time, as Lambda runs one), and what it
//! keeps up with: how fast it drains a backlog, and how long a payment takes to turn an order
//! `paid` while reservations arrive at a steady rate.

use super::drive::histogram;
use super::{BoxError, Call, Target};
use crate::lambda_emulator::environments::{Environments, Shape};
use crate::lambda_emulator::mq_mapping::{self, Mapping, MappingCounts};
use crate::lambda_emulator::RuntimeApi;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use mongodb::bson::{doc, Document};
use serde_json::json;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The consumer running: its environments and mappings (stopped when dropped or `stop`ped).
pub struct Lanes {
    environments: Vec<Environments>,
    mappings: Vec<tokio::task::JoinHandle<()>>,
    pub counts: Vec<Arc<MappingCounts>>,
}

pub struct LaneSettings<'a> {
    pub binary: &'a Path,
    pub queues: Vec<String>,
    pub amqp_url: &'a str,
    pub batch_size: usize,
    pub window: Duration,
    pub config: &'a [(String, String)],
}

impl Lanes {
    pub async fn start(settings: &LaneSettings<'_>) -> Result<Lanes, BoxError> {
        let mut lanes = Lanes { environments: Vec::new(), mappings: Vec::new(), counts: Vec::new() };
        for (lane, queue) in settings.queues.iter().enumerate() {
            let api = RuntimeApi::start(&format!("processing-lane-{lane}")).await?;
            let shape = Shape { environments: 1, max_concurrency: None, memory_mb: 1024 };
            lanes.environments.push(Environments::start(settings.binary, &api, &shape, settings.config)?);
            api.wait_for_environments(1, Duration::from_secs(30)).await?;
            let counts = Arc::new(MappingCounts::default());
            let mapping = Mapping { queue: queue.clone(), batch_size: settings.batch_size, window: settings.window };
            let (amqp, counted) = (settings.amqp_url.to_string(), counts.clone());
            lanes.mappings.push(tokio::spawn(async move {
                if let Err(err) = mq_mapping::run(amqp, mapping, api, counted).await {
                    eprintln!("a mapping stopped: {err}");
                }
            }));
            lanes.counts.push(counts);
        }
        Ok(lanes)
    }

    pub fn messages(&self) -> u64 {
        self.counts.iter().map(|c| c.messages.load(Ordering::Relaxed)).sum()
    }

    pub fn batches(&self) -> u64 {
        self.counts.iter().map(|c| c.batches.load(Ordering::Relaxed)).sum()
    }

    pub async fn stop(self) {
        for mapping in &self.mappings {
            mapping.abort();
        }
        for environments in self.environments {
            environments.stop().await;
        }
    }
}

/// One buyer's purchase: a reservation, then a card payment; when the payment was asked.
pub async fn reserve_and_pay(target: &Target, token: &str, event: &str) -> Result<(String, DateTime<Utc>), BoxError> {
    let body = json!({"event_id": event, "sector": "Pista", "price_type": "full", "quantity": 1});
    let reserve = Call {
        method: "POST",
        route: "/api/v1/orders",
        path: "/api/v1/orders",
        token: Some(token),
        body: Some(&body),
        if_none_match: None,
    };
    let reserved = target.send(&reserve).await?;
    if reserved.status != 201 {
        return Err(format!("reservation answered {}", reserved.status).into());
    }
    let id = reserved.body["id"].as_str().ok_or("a reservation without an id")?.to_string();
    let card = json!({"method": "card", "card_number": "4111111111111111"});
    let path = format!("/api/v1/orders/{id}/pay");
    let pay = Call {
        method: "POST",
        route: "/api/v1/orders/{id}/pay",
        path: &path,
        token: Some(token),
        body: Some(&card),
        if_none_match: None,
    };
    let asked = Utc::now();
    let paid = target.send(&pay).await?;
    if !(200..300).contains(&paid.status) {
        return Err(format!("paying answered {}", paid.status).into());
    }
    Ok((id, asked))
}

/// Orders of the event that are paid now.
pub async fn paid(db: &mongodb::Database, event: &str) -> Result<u64, BoxError> {
    Ok(db.collection::<Document>("orders").count_documents(doc! {"event_id": event, "status": "paid"}).await?)
}

/// Waits until `count` orders of the event are paid, or `within` passes; how long it took.
///
/// The count walks every paid order of the event in its index (~30 ms of the server's CPU
/// with tens of thousands), so asking every 50 ms took a fifth of the server away from what
/// is measured. It asks again after half the time the rest should take at the pace so far
/// (50 ms to 1 s): a few dozen counts per drain, and still every 50 ms near the end.
pub async fn until_paid(
    db: &mongodb::Database,
    event: &str,
    count: u64,
    within: Duration,
) -> Result<Duration, BoxError> {
    let started = Instant::now();
    let first = paid(db, event).await?;
    let mut now_paid = first;
    while now_paid < count {
        if started.elapsed() > within {
            return Err(format!("only {now_paid} of {count} orders paid after {within:?}").into());
        }
        let pace = (now_paid - first) as f64 / started.elapsed().as_secs_f64().max(0.001);
        let rest = if pace > 0.0 { (count - now_paid) as f64 / pace } else { 0.0 };
        tokio::time::sleep(Duration::from_secs_f64((rest / 2.0).clamp(0.05, 1.0))).await;
        now_paid = paid(db, event).await?;
    }
    Ok(started.elapsed())
}

/// Payment-to-paid latency of each order (from when its payment was asked to its
/// `paid_at`), in microseconds, as a histogram; orders not paid count as errors.
pub async fn payment_to_paid(
    db: &mongodb::Database,
    accepted: &HashMap<String, DateTime<Utc>>,
) -> Result<(hdrhistogram::Histogram<u64>, u64), BoxError> {
    let ids: Vec<&str> = accepted.keys().map(String::as_str).collect();
    let mut cursor =
        db.collection::<Document>("orders").find(doc! {"_id": {"$in": ids}}).projection(doc! {"paid_at": 1}).await?;
    let mut hist = histogram();
    let mut paid = 0;
    while let Some(order) = cursor.next().await {
        let order = order?;
        let (Ok(id), Ok(at)) = (order.get_str("_id"), order.get_datetime("paid_at")) else { continue };
        if let Some(accepted_at) = accepted.get(id) {
            let micros = at.timestamp_millis().saturating_sub(accepted_at.timestamp_millis()).max(0) * 1000;
            hist.record((micros as u64).max(1)).ok();
            paid += 1;
        }
    }
    Ok((hist, accepted.len() as u64 - paid))
}
