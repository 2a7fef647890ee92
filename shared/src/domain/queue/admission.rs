//! How far the serving counter may move: at the admins' rate, but never past what the
//! stock can serve (docs/waiting-room.md, "Admission knows the stock").

use chrono::{DateTime, Duration, Utc};

/// A move of the serving counter: at `at`, places up to `through` were admitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdmissionStep {
    pub at: DateTime<Utc>,
    pub through: i64,
}

/// What the event's stock and orders say, read at a tick.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OrderFacts {
    /// Tickets on sale now.
    pub available: i64,
    /// Tickets held by unpaid orders (they may come back on sale).
    pub held_unpaid: i64,
    /// Orders of the event so far (every status) and their tickets.
    pub orders: i64,
    pub tickets: i64,
    /// Holds that ended: expired or cancelled unpaid, against all that ended (those + paid).
    pub holds_released: i64,
    pub holds_ended: i64,
    /// Distinct buyers who ordered within the admission window (admitted buyers who used
    /// their turn).
    pub buyers_in_window: i64,
}

/// What a tick decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tick {
    /// The serving counter after the tick.
    pub serving: i64,
    /// Buyers the stock can serve now (available and expected releases, per order).
    pub can_serve: i64,
    /// Admitted within the admission window who have not ordered.
    pub outstanding: i64,
    /// Nothing on sale now.
    pub sold_out: bool,
    pub holds_pending: bool,
}

impl OrderFacts {
    /// Average tickets per order (1 before the first order).
    pub fn per_order(&self) -> f64 {
        if self.orders > 0 && self.tickets > 0 {
            self.tickets as f64 / self.orders as f64
        } else {
            1.0
        }
    }

    /// Held tickets expected back on sale: the held ones times the share of ended holds
    /// that were released rather than paid (none expected before any hold ended).
    pub fn expected_releases(&self) -> f64 {
        if self.holds_ended == 0 {
            return 0.0;
        }
        self.held_unpaid as f64 * (self.holds_released as f64 / self.holds_ended as f64)
    }

    /// Buyers the stock can serve: what is on sale plus what is expected back, per order —
    /// and at least one while anything is on sale, so the last tickets (fewer than an
    /// average order) are still offered to someone rather than left unsold behind a queue
    /// that never moves.
    pub fn buyers_served_by_stock(&self) -> i64 {
        let buyers = ((self.available.max(0) as f64 + self.expected_releases()) / self.per_order()).floor() as i64;
        if self.available > 0 {
            buyers.max(1)
        } else {
            buyers
        }
    }
}

/// Admitted in the `window` up to `now`: the counter now, less where it stood at the
/// window's start (the last step at or before it; 0 when the steps do not reach back).
pub fn admitted_within(steps: &[AdmissionStep], serving: i64, window: Duration, now: DateTime<Utc>) -> i64 {
    let start = now - window;
    let before = steps.iter().rev().find(|s| s.at <= start).map(|s| s.through);
    let first_in_window = steps.iter().find(|s| s.at > start);
    let base = match (before, first_in_window) {
        (Some(through), _) => through,
        // No step before the window: the room began admitting inside it, from 0 (the store
        // keeps steps longer than any window it is asked about).
        (None, Some(_)) => 0,
        (None, None) => serving,
    };
    (serving - base).max(0)
}

/// Buyers the rate lets in over `elapsed` (at most a minute's worth is banked).
pub fn allowance(rate_per_minute: i64, elapsed: Duration) -> i64 {
    let elapsed_ms = elapsed.num_milliseconds().clamp(0, 60_000);
    (rate_per_minute.max(0) as i128 * elapsed_ms as i128 / 60_000) as i64
}

/// How much of `elapsed` admitting `admitted` at the rate used up: the rest is kept for the
/// next tick, so a rate of 90 a minute ticked every second admits 90, not 60.
pub fn time_spent(rate_per_minute: i64, admitted: i64) -> Duration {
    Duration::milliseconds((admitted as i128 * 60_000 / rate_per_minute.max(1) as i128) as i64)
}

/// The serving counter's next position.
///
/// `waiting_through` is the last place given; `elapsed` the time since the last tick (the
/// admins' rate turns it into an allowance; at most a minute's worth is banked).
pub fn next_tick(
    serving: i64,
    waiting_through: i64,
    rate_per_minute: i64,
    elapsed: Duration,
    admitted_in_window: i64,
    facts: &OrderFacts,
) -> Tick {
    let allowance = allowance(rate_per_minute, elapsed);
    let can_serve = facts.buyers_served_by_stock();
    let outstanding = (admitted_in_window - facts.buyers_in_window).max(0);
    let room_in_stock = (can_serve - outstanding).max(0);
    let waiting = (waiting_through - serving).max(0);
    let admit = allowance.min(room_in_stock).min(waiting);
    Tick {
        serving: serving + admit,
        can_serve,
        outstanding,
        sold_out: facts.available <= 0,
        holds_pending: facts.held_unpaid > 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(available: i64, held: i64, orders: i64, tickets: i64) -> OrderFacts {
        OrderFacts { available, held_unpaid: held, orders, tickets, ..OrderFacts::default() }
    }

    #[test]
    fn the_rate_sets_the_pace_when_the_stock_is_plentiful() {
        let tick = next_tick(0, 10_000, 600, Duration::seconds(1), 0, &facts(50_000, 0, 0, 0));
        assert_eq!(tick.serving, 10, "600 a minute is 10 a second");
        let banked = next_tick(0, 10_000, 600, Duration::minutes(5), 0, &facts(50_000, 0, 0, 0));
        assert_eq!(banked.serving, 600, "at most a minute's worth after a pause");
    }

    #[test]
    fn time_not_spent_on_a_whole_buyer_is_kept_for_the_next_tick() {
        // 90 a minute: 1.5 a second; admitting 1 spends 666 ms of the second.
        assert_eq!(allowance(90, Duration::seconds(1)), 1);
        assert_eq!(time_spent(90, 1), Duration::milliseconds(666));
        assert_eq!(allowance(90, Duration::milliseconds(1334)), 2);
    }

    #[test]
    fn no_more_are_admitted_than_the_stock_can_serve_at_the_average_order() {
        // 10 tickets left, orders average 2: five buyers; three admitted and not yet ordered.
        let f = facts(10, 0, 4, 8);
        let tick = next_tick(3, 1_000, 1_000_000, Duration::seconds(1), 3, &f);
        assert_eq!(tick.can_serve, 5);
        assert_eq!(tick.outstanding, 3);
        assert_eq!(tick.serving, 5, "two more");
        let again = next_tick(5, 1_000, 1_000_000, Duration::seconds(1), 5, &f);
        assert_eq!(again.serving, 5, "nobody ordered since: nobody more");
    }

    #[test]
    fn holds_expected_back_count_at_the_share_that_came_back_before() {
        // Nothing on sale, 8 held; half of the holds that ended were released: 4 expected back.
        let f = OrderFacts { holds_released: 5, holds_ended: 10, ..facts(0, 8, 10, 20) };
        let tick = next_tick(0, 100, 1_000, Duration::seconds(60), 0, &f);
        assert_eq!(tick.can_serve, 2, "4 tickets back at 2 per order");
        assert_eq!(tick.serving, 2);
        assert!(tick.sold_out && tick.holds_pending);
    }

    #[test]
    fn the_last_tickets_fewer_than_an_average_order_are_still_offered_to_one_buyer() {
        let tick = next_tick(10, 100, 1_000, Duration::seconds(60), 0, &facts(1, 0, 10, 25));
        assert_eq!((tick.can_serve, tick.serving), (1, 11));
    }

    #[test]
    fn a_sold_out_event_admits_nobody_and_says_so() {
        let tick = next_tick(7, 100, 1_000, Duration::seconds(60), 0, &facts(0, 0, 10, 20));
        assert_eq!((tick.serving, tick.sold_out, tick.holds_pending), (7, true, false));
    }

    #[test]
    fn the_counter_never_passes_the_last_place_given() {
        let tick = next_tick(95, 100, 1_000, Duration::seconds(60), 0, &facts(1_000, 0, 0, 0));
        assert_eq!(tick.serving, 100);
    }

    #[test]
    fn admitted_in_a_window_counts_from_where_the_counter_stood_at_its_start() {
        let now = Utc::now();
        let steps = [
            AdmissionStep { at: now - Duration::seconds(90), through: 10 },
            AdmissionStep { at: now - Duration::seconds(30), through: 25 },
            AdmissionStep { at: now - Duration::seconds(5), through: 40 },
        ];
        assert_eq!(admitted_within(&steps, 40, Duration::seconds(60), now), 30);
        assert_eq!(admitted_within(&steps, 40, Duration::seconds(10), now), 15);
        assert_eq!(admitted_within(&[], 40, Duration::seconds(60), now), 0);
    }
}
