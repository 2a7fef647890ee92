//! Integrity under races: what must hold however requests, admins, the scheduled work and
//! the consumer interleave — stock is never created, a stale admin write never wins, a
//! cancelled or deleted event keeps no sale, a buyer's limit holds from the first order,
//! sales close when they should, one bad message does not hold its batch hostage, and an
//! idempotency key claimed by a dead process does not block its buyer for a day. Each race
//! runs several rounds against the real server, broker and router.

mod support;

mod buyer_limits;
mod cancel_and_delete;
mod catalogue_pages;
mod consumer_outcomes;
mod idempotency;
mod reconciler;
mod sales_window;
mod versions;
