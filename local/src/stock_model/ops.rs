//! The operations: what one is, how one is drawn, and how one runs against the world.

use super::{
    change_lot, if_match, input_from_view, weights, Outcome, Scenario, World, BUYERS, DELTA, EXPIRY_JUMP_MINUTES,
    OPS_PER_ROUND, QUANTITY, ROUNDS_PER_CASE, SECTORS,
};
use bilheteria::services::maintenance;
use rand::Rng;
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

/// One operation. `order` picks, modulo their number, one of the orders that existed when the
/// round started (none yet: the operation is skipped); `buyer`, `sector` and `lot` likewise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// `POST /orders` by a buyer; with `stale_price`, carrying a unit price no lot has (the
    /// buyer was shown a price that is gone): it must never sell, and must keep nothing.
    Reserve {
        buyer: usize,
        sector: usize,
        half: bool,
        quantity: i64,
        stale_price: bool,
    },
    /// `POST /orders/{id}/pay` (PIX) by its buyer; with `settle`, then the consumer's logic.
    Pay {
        order: usize,
        settle: bool,
    },
    /// The consumer's logic for an order's payment message (a late or duplicate delivery).
    Settle {
        order: usize,
    },
    /// `POST /orders/{id}/cancel` by its buyer.
    Cancel {
        order: usize,
    },
    /// `POST /orders/{id}/refund` by its buyer.
    Refund {
        order: usize,
    },
    /// The clock jumps past every hold, then the scheduled maintenance runs.
    Expire,
    /// An admin raises or lowers one lot's quantity (`PUT /admin/events/{id}`, `If-Match`).
    EditCapacity {
        sector: usize,
        lot: usize,
        delta: i64,
    },
    Pause,
    Resume,
    /// `POST /admin/events/{id}/cancel`, retried while it answers 202 (cancelling).
    CancelEvent,
    /// `maintenance::reconcile`.
    Reconcile,
    /// The order's pix settled whatever its state now (a notification after its hold, or
    /// twice): an expired order takes its tickets again if they are there, else the pix is
    /// returned.
    LatePix {
        order: usize,
    },
    /// `POST /gate/checkins` (an admin at a gate) with the order's first ticket that has not
    /// entered, if it has one.
    CheckIn {
        order: usize,
    },
}

impl Op {
    pub fn kind(&self) -> &'static str {
        match self {
            Op::Reserve { .. } => "reserve",
            Op::Pay { settle: true, .. } => "pay+settle",
            Op::Pay { settle: false, .. } => "pay",
            Op::Settle { .. } => "settle",
            Op::Cancel { .. } => "cancel",
            Op::Refund { .. } => "refund",
            Op::Expire => "expire",
            Op::EditCapacity { .. } => "edit capacity",
            Op::Pause => "pause",
            Op::Resume => "resume",
            Op::CancelEvent => "cancel event",
            Op::Reconcile => "reconcile",
            Op::LatePix { .. } => "late pix",
            Op::CheckIn { .. } => "check in",
        }
    }
}

/// A random operation with the shared weights and ranges.
pub fn random_op(rng: &mut impl Rng) -> Op {
    let total: u32 = weights::ALL.iter().sum();
    let mut roll = rng.random_range(0..total);
    let mut kind = 0;
    for (i, w) in weights::ALL.iter().enumerate() {
        if roll < *w {
            kind = i;
            break;
        }
        roll -= w;
    }
    let order = rng.random_range(0..10_000);
    match kind {
        0 => Op::Reserve {
            buyer: rng.random_range(0..BUYERS),
            sector: rng.random_range(0..SECTORS.len()),
            half: rng.random_bool(0.3),
            quantity: rng.random_range(QUANTITY),
            stale_price: rng.random_bool(0.15),
        },
        1 => Op::Pay { order, settle: rng.random_bool(0.75) },
        2 => Op::Settle { order },
        3 => Op::Cancel { order },
        4 => Op::Refund { order },
        5 => Op::Expire,
        6 => Op::EditCapacity {
            sector: rng.random_range(0..SECTORS.len()),
            lot: rng.random_range(0..2),
            delta: rng.random_range(DELTA),
        },
        7 => Op::Pause,
        8 => Op::Resume,
        9 => Op::CancelEvent,
        10 => Op::Reconcile,
        11 => Op::LatePix { order },
        _ => Op::CheckIn { order },
    }
}

/// A random case: its rounds of operations.
pub fn random_case(rng: &mut impl Rng) -> Vec<Vec<Op>> {
    let rounds = rng.random_range(ROUNDS_PER_CASE);
    (0..rounds).map(|_| (0..rng.random_range(OPS_PER_ROUND)).map(|_| random_op(rng)).collect()).collect()
}

impl Scenario {
    fn order(&self, index: usize) -> Option<(&str, usize, String)> {
        if self.orders.is_empty() {
            return None;
        }
        let (id, buyer) = &self.orders[index % self.orders.len()];
        Some((id, *buyer, format!("order …{} of buyer {buyer}", &id[id.len().saturating_sub(8)..])))
    }

    pub(super) async fn apply(&self, world: &World, op: &Op) -> Outcome {
        let mut out = Outcome::new(op);
        let event = self.event_id.as_str();
        match op {
            Op::Reserve { buyer, sector, half, quantity, stale_price } => {
                let b = buyer % self.buyers.len();
                let sector = SECTORS[sector % SECTORS.len()];
                let price_type = if *half { "half" } else { "full" };
                let mut body =
                    json!({"event_id": event, "sector": sector, "price_type": price_type, "quantity": quantity});
                if price_type == "half" {
                    body["entitlement"] = "student".into();
                }
                if *stale_price {
                    // One cent: no lot of the model's events is priced so.
                    body["expected_unit_price_cents"] = 1.into();
                }
                out.target = Some(format!("buyer {b}"));
                let reply = world.call(Method::POST, "/api/v1/orders", Some(&self.buyers[b]), Some(body), &[]).await;
                let made = match &reply {
                    Ok(r) if r.status == 201 => r.body["id"].as_str().map(|id| (id.to_string(), b)),
                    _ => None,
                };
                out = out.http("reserve", reply);
                if out.label == "201" && made.is_none() {
                    out.failure = Some("a 201 reservation without an order id".into());
                }
                if *stale_price && made.is_some() {
                    out.failure = Some("(g) sold at a price the buyer was not shown".into());
                }
                out.new_order = made;
            }
            Op::Pay { order, settle } => {
                let Some((id, buyer, target)) = self.order(*order) else { return skipped(out) };
                out.target = Some(target);
                let path = format!("/api/v1/orders/{id}/pay");
                let reply = world
                    .call(Method::POST, &path, Some(&self.buyers[buyer]), Some(json!({"method": "pix"})), &[])
                    .await;
                out = out.http("pay", reply);
                if *settle && out.label == "202" {
                    if let Err(e) = world.settle_payment(id).await {
                        out.failure = Some(format!("settling the payment: {e}"));
                    }
                }
            }
            Op::LatePix { order } => {
                let Some((id, _, target)) = self.order(*order) else { return skipped(out) };
                out.target = Some(target);
                match world.settle_pix(id).await {
                    Ok(Some(true)) => out.label = "settled".into(),
                    Ok(Some(false)) => out.label = "nothing to do".into(),
                    Ok(None) => out.label = "no pix".into(),
                    Err(e) => {
                        out.label = "error".into();
                        out.failure = Some(format!("settling the pix: {e}"));
                    }
                }
            }
            Op::Settle { order } => {
                let Some((id, _, target)) = self.order(*order) else { return skipped(out) };
                out.target = Some(target);
                match world.settle_payment(id).await {
                    Ok(true) => out.label = "processed".into(),
                    Ok(false) => out.label = "nothing to do".into(),
                    Err(e) => {
                        out.label = "error".into();
                        out.failure = Some(format!("settling the payment: {e}"));
                    }
                }
            }
            Op::Cancel { order } | Op::Refund { order } => {
                let Some((id, buyer, target)) = self.order(*order) else { return skipped(out) };
                out.target = Some(target);
                let verb = if matches!(op, Op::Cancel { .. }) { "cancel" } else { "refund" };
                let path = format!("/api/v1/orders/{id}/{verb}");
                let reply = world.call(Method::POST, &path, Some(&self.buyers[buyer]), None, &[]).await;
                out = out.http(verb, reply);
            }
            Op::Expire => {
                world.clock.advance(chrono::Duration::minutes(EXPIRY_JUMP_MINUTES));
                match maintenance::run(&world.app).await {
                    Ok(report) => out.label = format!("ok ({} expired)", report.expired),
                    Err(e) => {
                        out.label = "error".into();
                        out.failure = Some(format!("maintenance::run: {e}"));
                    }
                }
            }
            Op::EditCapacity { sector, lot, delta } => {
                out = self.edit_capacity(world, out, *sector, *lot, *delta).await
            }
            Op::Pause | Op::Resume => {
                let status = if matches!(op, Op::Pause) { "paused" } else { "active" };
                let path = format!("/api/v1/admin/events/{event}/status");
                let reply =
                    world.call(Method::PATCH, &path, Some(&self.admin), Some(json!({"status": status})), &[]).await;
                out = out.http(status, reply);
            }
            Op::CancelEvent => out = self.cancel_event(world, out).await,
            Op::CheckIn { order } => {
                let Some((id, _, target)) = self.order(*order) else { return skipped(out) };
                out.target = Some(target);
                let Some(order_id) = bilheteria::domain::OrderId::parse(id) else { return skipped(out) };
                let stored = match world.app.tickets.states_for_order(&order_id).await {
                    Ok(stored) => stored,
                    Err(e) => {
                        out.failure = Some(e.to_string());
                        return out;
                    }
                };
                let Some(ticket) = stored.iter().find(|t| t.state == bilheteria::domain::TicketState::Valid) else {
                    return skipped(out);
                };
                let body = json!({"qr": ticket.ticket.qr_payload, "gate": "Modelo"});
                let reply = world.call(Method::POST, "/api/v1/gate/checkins", Some(&self.admin), Some(body), &[]).await;
                out = out.http("check in", reply);
            }
            Op::Reconcile => match maintenance::reconcile(&world.app).await {
                Ok(r) => out.label = format!("ok {r:?}"),
                Err(e) => {
                    out.label = "error".into();
                    out.failure = Some(format!("maintenance::reconcile: {e}"));
                }
            },
        }
        out
    }

    /// An admin raises or lowers one lot through the API, with the version they read.
    async fn edit_capacity(&self, world: &World, mut out: Outcome, sector: usize, lot: usize, delta: i64) -> Outcome {
        let event = self.event_id.as_str();
        let sector = SECTORS[sector % SECTORS.len()];
        out.target = Some(format!("{sector} lot {}", lot + 1));
        let view = match world.admin_view(&self.admin, event).await {
            Ok(Some(v)) => v,
            Ok(None) => return skipped(out),
            Err(e) => {
                out.label = "error".into();
                out.failure = Some(e);
                return out;
            }
        };
        let mut input = input_from_view(&view);
        if !change_lot(&mut input, sector, lot, delta) {
            out.label = "error".into();
            out.failure = Some(format!("the admin view has no sector '{sector}' with lots: {view}"));
            return out;
        }
        let tag = if_match(&view);
        let headers: Vec<(&str, &str)> = tag.iter().map(|t| ("If-Match", t.as_str())).collect();
        let path = format!("/api/v1/admin/events/{event}");
        let reply = world.call(Method::PUT, &path, Some(&self.admin), Some(input), &headers).await;
        out.http("edit", reply)
    }

    /// An admin calls the event off, and keeps asking while the sweep answers 202.
    async fn cancel_event(&self, world: &World, mut out: Outcome) -> Outcome {
        let event = self.event_id.as_str();
        let path = format!("/api/v1/admin/events/{event}/cancel");
        let mut accepted = 0;
        // Bounded by time as well as by count: each 202 may have spent the sweep's own budget,
        // and a case must end well inside its time limit even on a loaded machine.
        let give_up = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let reply = world.call(Method::POST, &path, Some(&self.admin), None, &[]).await;
            if matches!(&reply, Ok(r) if r.status == 202) && accepted < 200 && std::time::Instant::now() < give_up {
                accepted += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
            out = out.http("cancel the event", reply);
            break;
        }
        if accepted > 0 {
            out.label = format!("{} after {accepted}×202", out.label);
            if out.label.starts_with("202") {
                out.failure = Some(format!("cancelling the event still answered 202 after {accepted} tries"));
            }
        }
        out.cancel_confirmed = out.label.starts_with("200");
        out
    }
}

fn skipped(mut out: Outcome) -> Outcome {
    out.label = "skipped".into();
    out
}
