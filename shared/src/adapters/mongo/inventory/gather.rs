//! The slow path of a take, when little is left: one read of the lot's buckets, then
//! conditional partial takes from as many buckets as needed (the remainder is gathered, so
//! the last tickets — even a multi-ticket order's — are never stranded across buckets). A
//! shortfall after a lost race gives back what it took and looks again; a step that fails
//! gives back what the gather held before returning its error.
//!
//! Partial takes are *holds*: they move tickets from `available` to `pending` until the
//! gather completes (one more update per bucket: `pending` back down) or gives them back. A
//! reservation is refused only when even `available + pending` — the stock if every gather
//! in flight gave back — is short; otherwise it waits a moment and looks again. Without
//! that, a buyer reading the lot while another buyer's gather briefly held the tickets was
//! told "sold out" for tickets that were then sold to someone who asked later. Each hold is
//! recorded for its order like any take, so a gather that dies holding is undone, provably,
//! by the reconciler.

use super::ops::{hold_ops, settle_ops, take_ops, InventoryDoc, TakeRecord};
use super::MongoInventory;
use crate::adapters::mongo::db_error;
use crate::domain::Allocation;
use crate::error::AppResult;
use crate::ports::{Take, TakeRequest};
use rand::Rng;
use std::time::Duration;

/// How long a gather waits for other gathers' holds to settle before giving up (a hold
/// leaked by a crash is waited for this long, at most, then ignored).
const GATHER_PATIENCE: Duration = Duration::from_secs(2);

impl MongoInventory {
    /// Makes a gather's holds final, or gives them back.
    async fn settle(&self, req: &TakeRequest<'_>, holds: &[Allocation], release: bool) -> AppResult<()> {
        for a in holds {
            let (filter, update) = settle_ops(&a.bucket, req.order_id.as_str(), a.quantity, req.price_type, release);
            self.buckets.update_one(filter, update).await.map_err(db_error("settling a gather"))?;
        }
        Ok(())
    }

    /// Gives back a failed gather's holds, whatever state each reached (still held, or made
    /// final before a later step failed): each return is conditional on the hold's record in
    /// that state, so it happens at most once, whoever else (the reconciler) tries. Best
    /// effort: what cannot be returned now keeps its record, which the reconciler returns
    /// after `TAKE_GRACE_SECONDS`.
    async fn undo_holds(&self, req: &TakeRequest<'_>, holds: &[Allocation]) {
        for a in holds {
            for held in [true, false] {
                match self.return_recorded(a, req.order_id.as_str(), req.price_type, held).await {
                    Ok(true) => break,
                    Ok(false) => continue,
                    Err(err) => {
                        let err = db_error("giving back a failed gather's hold")(err);
                        tracing::warn!(bucket = %a.bucket, error = %err.chain(), "a gather's hold not returned; the reconciler will");
                        break;
                    }
                }
            }
        }
    }

    pub(super) async fn gather(&self, req: &TakeRequest<'_>, record: &TakeRecord) -> AppResult<Take> {
        let deadline = tokio::time::Instant::now() + GATHER_PATIENCE;
        let mut round: u64 = 0;
        loop {
            let mut docs = self.lot_buckets(req).await?;
            if docs.is_empty() {
                return Ok(Take::Short { left: 0 });
            }
            if docs.iter().any(|d| !d.on_sale) {
                return Ok(Take::Closed);
            }
            let left: i64 = docs.iter().map(|d| d.eligible(req.price_type)).sum();
            // Short even if every gather in flight gave back: a true refusal.
            if docs.iter().map(|d| d.eligible_at_most(req.price_type)).sum::<i64>() < req.quantity {
                return Ok(Take::Short { left });
            }
            if left >= req.quantity {
                docs.sort_by_key(|d| std::cmp::Reverse(d.eligible(req.price_type)));
                if let Some(taken) = self.gather_once(req, record, &docs).await? {
                    return Ok(taken);
                }
            }
            // Enough only counting other gathers' holds (or a lost race): let them settle.
            if tokio::time::Instant::now() >= deadline {
                return Ok(Take::Short { left });
            }
            round += 1;
            let pause = rand::rng().random_range(1..=(2 + 2 * round).min(20));
            tokio::time::sleep(Duration::from_millis(pause)).await;
        }
    }

    /// One attempt over buckets sorted by what they can serve, most first.
    async fn gather_once(
        &self,
        req: &TakeRequest<'_>,
        record: &TakeRecord,
        docs: &[InventoryDoc],
    ) -> AppResult<Option<Take>> {
        if docs[0].eligible(req.price_type) >= req.quantity {
            // One bucket has it all: one final take.
            let ops = take_ops(&docs[0].id, req.price_type, std::slice::from_ref(record));
            return Ok(self.take_with(ops).await?.map(|price| Take::Taken {
                full_price_cents: price,
                allocations: vec![Allocation { bucket: docs[0].id.clone(), quantity: req.quantity }],
            }));
        }
        let mut need = req.quantity;
        let mut held: Vec<Allocation> = Vec::new();
        let mut price_cents = None;
        for d in docs {
            let amount = d.eligible(req.price_type).min(need);
            if amount == 0 {
                continue;
            }
            let part = TakeRecord { quantity: amount, ..record.clone() };
            let price = match self.take_with(hold_ops(&d.id, req.price_type, &part)).await {
                Ok(price) => price,
                Err(err) => {
                    // Whatever this take did, what was held before it goes back now, not
                    // after the reconciler's grace: the buyer is told to try again.
                    self.undo_holds(req, &held).await;
                    return Err(err);
                }
            };
            if let Some(price) = price {
                held.push(Allocation { bucket: d.id.clone(), quantity: amount });
                price_cents = Some(price);
                need -= amount;
                if need == 0 {
                    break;
                }
            }
        }
        let taken = price_cents.filter(|_| need == 0);
        // Complete: make the holds final. Lost a race for part of it: give back and look again.
        if let Err(err) = self.settle(req, &held, taken.is_none()).await {
            self.undo_holds(req, &held).await;
            return Err(err);
        }
        Ok(taken.map(|price| Take::Taken { full_price_cents: price, allocations: held }))
    }
}
