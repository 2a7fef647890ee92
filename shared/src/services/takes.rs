//! Takes in flight: stock taken for an order that is not (yet) stored. Each take is recorded
//! on its bucket with its order's id, in the same update that took it, and forgotten once
//! the order is stored. So a take's fate is a fact, not an inference:
//! - its order is stored → the order holds the stock; forget the record;
//! - its order is not stored and the take is younger than the grace → a reservation may
//!   still be running; leave it;
//! - older than the grace → fence the order id (no order by it can ever be stored now),
//!   then return exactly that take, conditional on its record (so once, whoever else
//!   tries). If the fence finds the order was stored after all, forget the record.
//!
//! Nothing is ever inferred from comparing counts read at different moments: those
//! comparisons (`drift`) are reported, never repaired.

use crate::app::App;
use crate::domain::EventId;
use crate::error::AppResult;
use crate::ports::{Fence, InFlightTake};
use chrono::Duration;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TakesReport {
    /// Takes whose order was stored: their records forgotten.
    pub confirmed: usize,
    /// Takes provably lost (no order, none possible now): returned to the stock.
    pub returned: usize,
    /// Takes younger than the grace with no order yet: left for a later run (the stock they
    /// hold is accounted for by nothing else).
    pub waiting: Vec<InFlightTake>,
}

/// Resolves every take in flight on the event's buckets.
pub async fn resolve(app: &App, event: &EventId) -> AppResult<TakesReport> {
    let takes = app.inventory.in_flight(event).await?;
    let mut report = TakesReport::default();
    let now = app.clock.now();
    let grace = Duration::seconds(app.config.take_grace_seconds);
    for take in takes {
        if app.orders.find(&take.order_id).await?.is_some() {
            app.inventory.forget_take(&take).await?;
            report.confirmed += 1;
        } else if take.at + grace > now {
            report.waiting.push(take);
        } else if return_lost(app, event, &take).await? {
            report.returned += 1;
        } else {
            report.confirmed += 1;
        }
    }
    Ok(report)
}

/// Fences a stale take's order id and returns the take; `false` when the order turned out
/// to be stored (or someone else returned the take first).
async fn return_lost(app: &App, event: &EventId, take: &InFlightTake) -> AppResult<bool> {
    match app.orders.fence(&take.order_id, &take.user_id, event, app.clock.now()).await? {
        Fence::Stored => {
            app.inventory.forget_take(take).await?;
            Ok(false)
        }
        Fence::Fenced => {
            let returned = app.inventory.return_take(take).await?;
            if returned {
                tracing::warn!(
                    bucket = %take.bucket, order_id = %take.order_id, quantity = take.quantity,
                    "a take without an order returned to the stock"
                );
            }
            Ok(returned)
        }
    }
}
