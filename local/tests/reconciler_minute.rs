//! The minute-long run of the reconciler beside buyers and dying reservations, as a
//! test binary of its own (most integration tests are modules of `tests/api`), because
//! it must run alone: for a minute it loads the one machine's database server (six buyers,
//! dying reservations, a reconciler every second) and asserts a rate (the reconciler's runs
//! per second). It is by far the longest test, so in the shared binary the other test thread
//! would go through most of the suite beside it, changing its conditions and theirs (tests
//! like `integrity`'s `reconciler` assert rates too). Cargo runs test binaries one after
//! another: here it has the machine to itself, as it nearly had in `faults` before (whose
//! other tests are short). `RECONCILER_RUN_SECONDS=N` shortens it.

// This binary uses part of the harness only.
#[allow(dead_code)]
#[path = "api/helpers/mod.rs"]
mod helpers;

use bilheteria::services::maintenance;
use helpers::Harness;
use reqwest::StatusCode;

/// The run: the reconciler every second for a minute while buyers buy steadily and
/// some reservations die — between their take and their order (the take's record is all that
/// is left), or after their order but before forgetting the record. At the end every lot is
/// exact and every orphaned take came back exactly once; no stored order's take did.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_reconciler_every_second_for_a_minute_beside_buyers_and_dying_reservations_keeps_every_lot_exact() {
    use bilheteria::domain::{EventId, NewOrder, OrderId, OrderStatus, PriceType, UserId};
    use bilheteria::ports::{Take, TakeRequest};
    use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
    use std::sync::Arc;
    let seconds: u64 = std::env::var("RECONCILER_RUN_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(60);
    let h = Arc::new(Harness::start_with(|c| c.take_grace_seconds = 2).await);
    // Large enough that neither sector sells out in the minute (the dying reservations would
    // then stop taking anything).
    let event_id = h.event(&[("Pista", 10_000, 30_000), ("VIP", 30_000, 12_000)]).await;
    let event = h.app.events.find(&EventId::parse(&event_id).expect("id")).await.expect("find").expect("event");
    let stop = Arc::new(AtomicBool::new(false));
    let (orphaned, orphans, stored_unconfirmed) =
        (Arc::new(AtomicI64::new(0)), Arc::new(AtomicI64::new(0)), Arc::new(AtomicI64::new(0)));

    let mut tasks = Vec::new();
    for b in 0..6 {
        let (h, stop, event_id) = (h.clone(), stop.clone(), event_id.clone());
        tasks.push(tokio::spawn(async move {
            let buyer = h.buyer().await;
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let (sector, price) = if (n + b) % 3 == 0 { ("VIP", "half") } else { ("Pista", "full") };
                let r = h.reserve(&buyer, &event_id, sector, price, 1 + (n % 2) as i64).await;
                assert!(r.status.is_success() || r.status == StatusCode::CONFLICT, "{} {}", r.status, r.body);
                if r.status.is_success() && n % 4 == 0 {
                    let order = r.body["id"].as_str().expect("id").to_string();
                    h.post(&format!("/api/v1/orders/{order}/cancel"), Some(&buyer), serde_json::json!({})).await;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        }));
    }
    // Reservations that die: every 250 ms one takes stock and is never heard of again; every
    // fourth instead stores its order and dies before forgetting its take's record.
    {
        let (h, stop, event) = (h.clone(), stop.clone(), event.clone());
        let (orphaned, orphans, stored_unconfirmed) = (orphaned.clone(), orphans.clone(), stored_unconfirmed.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0i64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let sector = &event.sectors[(n % 2) as usize];
                let price_type = if n % 3 == 0 { PriceType::Half } else { PriceType::Full };
                let (order_id, user_id, now) = (OrderId::generate(), UserId::generate(), h.app.clock.now());
                let take = TakeRequest {
                    event: &event,
                    sector_id: &sector.id,
                    lot: 0,
                    price_type,
                    quantity: 1 + n % 3,
                    order_id: &order_id,
                    user_id: &user_id,
                    at: now,
                };
                let quantity = take.quantity;
                let taken = h.app.inventory.take(&take).await.expect("take");
                if let Take::Taken { full_price_cents, allocations } = taken {
                    if n % 4 == 0 {
                        let order = NewOrder {
                            id: order_id.clone(),
                            user_id: user_id.clone(),
                            event_id: event.id.clone(),
                            event_name: event.name.clone(),
                            sector_id: sector.id.clone(),
                            sector: sector.name.clone(),
                            lot: sector.lots[0].name.clone(),
                            price_type,
                            entitlement: None,
                            quantity,
                            unit_price_cents: price_type.unit_price(full_price_cents),
                            allocations,
                            counted_as: None,
                            created_at: now,
                            expires_at: now + chrono::Duration::minutes(10),
                            idempotency_key: None,
                        };
                        assert!(h.app.orders.insert(&order).await.expect("insert").is_some());
                        stored_unconfirmed.fetch_add(1, Ordering::Relaxed);
                    } else {
                        orphaned.fetch_add(quantity, Ordering::Relaxed);
                        orphans.fetch_add(1, Ordering::Relaxed);
                    }
                }
                tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            }
        }));
    }
    let returned = Arc::new(AtomicI64::new(0));
    let reconciler = {
        let (h, stop, returned) = (h.clone(), stop.clone(), returned.clone());
        tokio::spawn(async move {
            let mut runs = 0;
            // Every second on the clock, however long a run takes.
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                let report = maintenance::reconcile(&h.app).await.expect("reconcile");
                returned.fetch_add(report.takes_returned as i64, Ordering::Relaxed);
                runs += 1;
            }
            runs
        })
    };
    tokio::time::sleep(std::time::Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.expect("task");
    }
    let runs = reconciler.await.expect("reconciler");
    assert!(runs as u64 >= seconds * 2 / 3, "the reconciler ran {runs} times in {seconds} s");
    // Past the grace, the last orphans are returned too.
    h.clock.advance(chrono::Duration::seconds(3));
    returned
        .fetch_add(maintenance::reconcile(&h.app).await.expect("reconcile").takes_returned as i64, Ordering::Relaxed);
    let last = maintenance::reconcile(&h.app).await.expect("reconcile");
    assert_eq!((last.takes_returned, last.takes_waiting, last.drifts_seen), (0, 0, 0), "{last:?}");

    assert!(orphans.load(Ordering::Relaxed) >= seconds as i64, "orphans made: {}", orphans.load(Ordering::Relaxed));
    assert_eq!(returned.load(Ordering::Relaxed), orphans.load(Ordering::Relaxed), "every orphaned take returned once");
    assert!(h.app.inventory.in_flight(&event.id).await.expect("in flight").is_empty(), "no record left behind");
    let holding = h.app.orders.by_event(&event.id, &OrderStatus::HOLDING_STOCK).await.expect("orders");
    let buckets = h.app.inventory.buckets(&event.id).await.expect("buckets");
    for sector in &event.sectors {
        for lot in 0..sector.lots.len() {
            let ids: Vec<&str> =
                buckets.iter().filter(|b| b.sector_id == sector.id && b.lot == lot).map(|b| b.id.as_str()).collect();
            let held: i64 = holding
                .iter()
                .flat_map(|o| o.allocations.iter())
                .filter(|a| ids.contains(&a.bucket.as_str()))
                .map(|a| a.quantity)
                .sum();
            let left: i64 =
                buckets.iter().filter(|b| ids.contains(&b.id.as_str())).map(|b| b.available + b.pending).sum();
            let capacity: i64 = buckets.iter().filter(|b| ids.contains(&b.id.as_str())).map(|b| b.capacity).sum();
            assert_eq!(held + left, capacity, "sector {} lot {lot}: sold + held + available = capacity", sector.name);
        }
    }
    eprintln!(
        "reconciler runs {runs}, orphaned takes {} ({} tickets) returned {}, stored-but-unconfirmed {}, orders holding {}",
        orphans.load(Ordering::Relaxed),
        orphaned.load(Ordering::Relaxed),
        returned.load(Ordering::Relaxed),
        stored_unconfirmed.load(Ordering::Relaxed),
        holding.len()
    );
    match Arc::try_unwrap(h) {
        Ok(h) => h.finish().await,
        Err(_) => panic!("the harness is still shared"),
    }
}
