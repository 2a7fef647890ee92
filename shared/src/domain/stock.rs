//! The stock rules, in one place: how a lot is laid out over bucket documents, how the
//! half-price share is spread, how an edit's capacity changes become bucket adjustments,
//! and what a bucket should hold. Pure: the inventory adapter and the admin service both
//! call these, so the rules cannot drift apart between layers.

use super::event::{Event, Lot, Sector};
use super::ids::EventId;
use std::fmt;

/// `<event>/<sector id>/<lot>/<bucket>`: a reservation names its bucket by `_id`, a point
/// update a sharded cluster routes to exactly one shard.
pub fn bucket_id(event: &EventId, sector_id: &str, lot: usize, bucket: u32) -> String {
    format!("{event}/{sector_id}/{lot}/{bucket}")
}

/// Splits `total` tickets into `parts` shares that differ by at most one (a lot over its
/// buckets, a capacity change over a lot's buckets).
pub fn split_evenly(total: i64, parts: u32) -> Vec<i64> {
    let parts = parts.max(1) as i64;
    (0..parts).map(|i| total / parts + i64::from(i < total % parts)).collect()
}

/// One inventory document: part of one lot of one sector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bucket {
    pub id: String,
    pub sector_id: String,
    pub sector: String,
    pub lot: usize,
    pub bucket: u32,
    pub available: i64,
    pub capacity: i64,
    pub half_available: i64,
    pub half_capacity: i64,
    pub price_cents: i64,
    pub on_sale: bool,
    /// Tickets held by gathers in flight (taken from `available`, not yet in an order).
    pub pending: i64,
    pub half_pending: i64,
}

/// The buckets of one lot, as it is opened (its half-price share is handed out separately).
pub fn lot_buckets(event: &EventId, sector: &Sector, lot_index: usize, lot: &Lot, on_sale: bool) -> Vec<Bucket> {
    split_evenly(lot.quantity, lot.buckets)
        .into_iter()
        .enumerate()
        .map(|(b, capacity)| Bucket {
            id: bucket_id(event, &sector.id, lot_index, b as u32),
            sector_id: sector.id.clone(),
            sector: sector.name.clone(),
            lot: lot_index,
            bucket: b as u32,
            available: capacity,
            capacity,
            half_available: 0,
            half_capacity: 0,
            price_cents: lot.price_cents,
            on_sale,
            pending: 0,
            half_pending: 0,
        })
        .collect()
}

/// Every bucket of a new event, its sectors' half-price shares spread over them in
/// proportion to their size (the floors' remainder handed out one ticket at a time).
pub fn layout(event: &Event) -> Vec<Bucket> {
    let mut all = Vec::new();
    for sector in &event.sectors {
        let mut buckets: Vec<Bucket> = sector
            .lots
            .iter()
            .enumerate()
            .flat_map(|(i, lot)| lot_buckets(&event.id, sector, i, lot, event.on_sale()))
            .collect();
        let capacity = sector.capacity();
        let share = event.half_price_cap(capacity);
        let mut given = 0;
        for b in &mut buckets {
            b.half_capacity = if capacity > 0 { share * b.capacity / capacity } else { 0 };
            given += b.half_capacity;
        }
        while given < share {
            let before = given;
            for b in buckets.iter_mut().filter(|b| b.half_capacity < b.capacity) {
                if given < share {
                    b.half_capacity += 1;
                    given += 1;
                }
            }
            if given == before {
                break;
            }
        }
        for b in &mut buckets {
            b.half_available = b.half_capacity;
        }
        all.extend(buckets);
    }
    all
}

/// A change to one bucket's capacity and stock (and its half-price share) by an edit.
/// Pure: either a removal (some part negative, applied only if that much is unsold) or an
/// addition (always applicable), never both, so that undoing one is always possible.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Adjustment {
    pub bucket: String,
    pub delta: i64,
    pub half_delta: i64,
}

impl Adjustment {
    pub fn is_removal(&self) -> bool {
        self.delta < 0 || self.half_delta < 0
    }

    pub fn undo(&self) -> Adjustment {
        Adjustment { bucket: self.bucket.clone(), delta: -self.delta, half_delta: -self.half_delta }
    }
}

/// Why an edit's stock change cannot be made; nothing is changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResizeRefusal {
    /// Lowering a lot below what is already sold or held.
    BelowSold {
        sector: String,
        by: i64,
        unsold: i64,
    },
    LotHasSales {
        sector: String,
        lot: usize,
    },
    SectorHasSales {
        sector: String,
    },
}

impl fmt::Display for ResizeRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResizeRefusal::BelowSold { sector, by, unsold } => {
                write!(f, "sector '{sector}': cannot lower capacity by {by} — only {unsold} ticket(s) are unsold")
            }
            ResizeRefusal::LotHasSales { sector, lot } => {
                write!(f, "sector '{sector}': lot {} has sales and cannot be removed", lot + 1)
            }
            ResizeRefusal::SectorHasSales { sector } => write!(f, "sector '{sector}' has sales and cannot be removed"),
        }
    }
}

/// What an edit does to the stock: adjustments to existing buckets (removals first, then
/// additions, so that a refused removal is undone by additions alone) and new buckets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResizePlan {
    pub adjustments: Vec<Adjustment>,
    pub new_buckets: Vec<Bucket>,
}

/// Plans the stock changes from `current` (with its `buckets`) to `next` (the same event
/// edited: sectors matched by id, lots by position). Refuses, changing nothing, to remove
/// stock that is sold or held.
pub fn plan_resize(current: &Event, buckets: &[Bucket], next: &Event) -> Result<ResizePlan, ResizeRefusal> {
    let mut raw: Vec<Adjustment> = Vec::new();
    let mut new_buckets: Vec<Bucket> = Vec::new();
    let of_lot = |sector_id: &str, lot: usize| -> Vec<&Bucket> {
        buckets.iter().filter(|b| b.sector_id == sector_id && b.lot == lot).collect()
    };
    for sector in &next.sectors {
        let old = current.sector_by_id(&sector.id);
        for (i, lot) in sector.lots.iter().enumerate() {
            let existing = of_lot(&sector.id, i);
            match old.and_then(|s| s.lots.get(i)) {
                Some(old_lot) if !existing.is_empty() => {
                    let delta = lot.quantity - old_lot.quantity;
                    let unsold: i64 = existing.iter().map(|b| b.available).sum();
                    if delta < 0 && unsold < -delta {
                        return Err(ResizeRefusal::BelowSold { sector: sector.name.clone(), by: -delta, unsold });
                    }
                    spread(&mut raw, &existing, delta);
                }
                _ => new_buckets.extend(lot_buckets(&next.id, sector, i, lot, next.on_sale())),
            }
        }
        if let Some(old) = old {
            for i in sector.lots.len()..old.lots.len() {
                let existing = of_lot(&sector.id, i);
                if existing.iter().any(|b| b.available != b.capacity) {
                    return Err(ResizeRefusal::LotHasSales { sector: sector.name.clone(), lot: i });
                }
                spread(&mut raw, &existing, -old.lots[i].quantity);
            }
        }
    }
    let removed: Vec<&Sector> = current.sectors.iter().filter(|s| next.sector_by_id(&s.id).is_none()).collect();
    for sector in &removed {
        let existing: Vec<&Bucket> = buckets.iter().filter(|b| b.sector_id == sector.id).collect();
        if existing.iter().any(|b| b.available != b.capacity) {
            return Err(ResizeRefusal::SectorHasSales { sector: sector.name.clone() });
        }
        spread(&mut raw, &existing, -sector.capacity());
    }
    // The half-price share is the sector's: `share`% of its new capacity (none for a removed
    // sector), moved over its buckets as they will be after the capacity changes above.
    let targets = next
        .sectors
        .iter()
        .map(|s| (s.id.clone(), next.half_price_cap(s.capacity())))
        .chain(removed.iter().map(|s| (s.id.clone(), 0)));
    for (sector_id, target) in targets {
        rebalance_half(&mut raw, buckets, &mut new_buckets, &sector_id, target);
    }
    Ok(ResizePlan { adjustments: pure_and_ordered(raw), new_buckets })
}

/// One adjustment per bucket and kind: each bucket's net change split into its removal part
/// and its addition part, removals first.
fn pure_and_ordered(raw: Vec<Adjustment>) -> Vec<Adjustment> {
    let mut net: Vec<Adjustment> = Vec::new();
    for a in raw {
        match net.iter_mut().find(|n| n.bucket == a.bucket) {
            Some(n) => {
                n.delta += a.delta;
                n.half_delta += a.half_delta;
            }
            None => net.push(a),
        }
    }
    let mut removals = Vec::new();
    let mut additions = Vec::new();
    for n in net {
        let (d_minus, d_plus) = (n.delta.min(0), n.delta.max(0));
        let (h_minus, h_plus) = (n.half_delta.min(0), n.half_delta.max(0));
        if d_minus != 0 || h_minus != 0 {
            removals.push(Adjustment { bucket: n.bucket.clone(), delta: d_minus, half_delta: h_minus });
        }
        if d_plus != 0 || h_plus != 0 {
            additions.push(Adjustment { bucket: n.bucket, delta: d_plus, half_delta: h_plus });
        }
    }
    removals.extend(additions);
    removals
}

/// Spreads a capacity change over a lot's buckets: additions evenly, removals from the
/// buckets with the most unsold stock.
fn spread(plan: &mut Vec<Adjustment>, buckets: &[&Bucket], delta: i64) {
    if buckets.is_empty() || delta == 0 {
        return;
    }
    if delta > 0 {
        for (b, d) in buckets.iter().zip(split_evenly(delta, buckets.len() as u32)) {
            if d != 0 {
                plan.push(Adjustment { bucket: b.id.clone(), delta: d, half_delta: 0 });
            }
        }
        return;
    }
    let mut need = -delta;
    let mut sorted: Vec<&&Bucket> = buckets.iter().collect();
    sorted.sort_by_key(|b| std::cmp::Reverse(b.available));
    for b in sorted {
        let take = b.available.min(need);
        if take > 0 {
            plan.push(Adjustment { bucket: b.id.clone(), delta: -take, half_delta: 0 });
            need -= take;
        }
    }
}

/// Brings a sector's half-price share (the sum of its buckets' `half_capacity`) to `target`,
/// one ticket at a time, onto the buckets as they will be after `plan`: additions go where
/// the most unsold stock has no half-price share yet, removals come first from a share that
/// no stock backs any more, then from the largest unsold share. Per-bucket proportional
/// floors would lose up to a ticket per bucket (and ignore a changed share percentage).
fn rebalance_half(
    plan: &mut Vec<Adjustment>,
    buckets: &[Bucket],
    new_buckets: &mut [Bucket],
    sector_id: &str,
    target: i64,
) {
    struct After {
        id: String,
        capacity: i64,
        available: i64,
        half_capacity: i64,
        half_available: i64,
    }
    let mut state: Vec<After> = buckets
        .iter()
        .filter(|b| b.sector_id == sector_id)
        .map(|b| {
            let (d, h) =
                plan.iter().filter(|a| a.bucket == b.id).fold((0, 0), |(d, h), a| (d + a.delta, h + a.half_delta));
            After {
                id: b.id.clone(),
                capacity: b.capacity + d,
                available: b.available + d,
                half_capacity: b.half_capacity + h,
                half_available: b.half_available + h,
            }
        })
        .chain(new_buckets.iter().filter(|b| b.sector_id == sector_id).map(|b| After {
            id: b.id.clone(),
            capacity: b.capacity,
            available: b.available,
            half_capacity: b.half_capacity,
            half_available: b.half_available,
        }))
        .collect();
    let mut moved = vec![0i64; state.len()];
    let mut have: i64 = state.iter().map(|s| s.half_capacity).sum();
    while have != target {
        let pick = if have < target {
            state
                .iter()
                .enumerate()
                .filter(|(_, s)| s.half_capacity < s.capacity)
                .max_by_key(|(_, s)| (s.available - s.half_available, s.capacity - s.half_capacity))
                .map(|(i, _)| i)
        } else {
            state
                .iter()
                .enumerate()
                .filter(|(_, s)| s.half_available > 0)
                .max_by_key(|(_, s)| (s.half_available - s.available, s.half_available))
                .map(|(i, _)| i)
        };
        let Some(i) = pick else {
            break; // no room left (or the half-price tickets are already sold)
        };
        let step = if have < target { 1 } else { -1 };
        state[i].half_capacity += step;
        state[i].half_available += step;
        moved[i] += step;
        have += step;
    }
    for (s, half) in state.into_iter().zip(moved) {
        if half == 0 {
            continue;
        }
        match new_buckets.iter_mut().find(|b| b.id == s.id) {
            Some(b) => {
                b.half_capacity += half;
                b.half_available += half;
            }
            None => plan.push(Adjustment { bucket: s.id, delta: 0, half_delta: half }),
        }
    }
}

/// What a bucket's stock differs by from what its orders and its takes in flight account
/// for: `(full, half)`, positive when tickets are missing. A report, never a repair: two
/// reads taken at different moments can differ while reservations run.
pub fn drift(bucket: &Bucket, held: i64, half_held: i64, in_flight: i64, half_in_flight: i64) -> (i64, i64) {
    let full = bucket.capacity - held - in_flight - bucket.available - bucket.pending.max(0);
    let half = bucket.half_capacity - half_held - half_in_flight - bucket.half_available - bucket.half_pending.max(0);
    (full, half)
}

#[cfg(test)]
mod tests;
