//! The reconciler returns stock that no order holds — and only that: it never creates
//! stock out of a reservation in flight, and returns a dead process's take exactly once.

use super::support::{books, event_id, reserve_ok};
use crate::helpers::Harness;
use bilheteria::domain::{OrderId, PriceType, UserId};
use bilheteria::ports::{Take, TakeRequest};
use bilheteria::services::{maintenance, takes};
use futures::future::join_all;
use reqwest::StatusCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const ROUNDS: usize = 3;
const BUYERS: usize = 8;
const CAPACITY: i64 = 2_000;
const SALE: Duration = Duration::from_secs(6);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_reconciler_running_every_100_ms_beside_steady_reservations_never_creates_stock() {
    let h = Harness::start().await;
    let buyers = join_all((0..BUYERS).map(|_| h.buyer())).await;
    for round in 0..ROUNDS {
        let event = h.event(&[("Pista", 10_000, CAPACITY)]).await;
        let deadline = tokio::time::Instant::now() + SALE;
        let sold = AtomicUsize::new(0);
        let buying = buyers.iter().map(|buyer| {
            let (h, event, sold) = (&h, &event, &sold);
            async move {
                while tokio::time::Instant::now() < deadline {
                    let r = h.reserve(buyer, event, "Pista", "full", 1).await;
                    match r.status {
                        StatusCode::CREATED => {
                            sold.fetch_add(1, Ordering::Relaxed);
                        }
                        StatusCode::CONFLICT => {} // sold out (or a bucket briefly short)
                        other => panic!("round {round}: a reservation answered {other}: {}", r.body),
                    }
                    // Steady, not a burst: the sale should last the whole run.
                    tokio::time::sleep(Duration::from_millis(15)).await;
                }
            }
        });
        let reconciling = async {
            let mut runs = 0;
            while tokio::time::Instant::now() < deadline {
                // Every 100 ms from the start of one run to the next (a run that took longer
                // is followed at once): a slow run on a loaded machine does not halve the count.
                let next = tokio::time::Instant::now() + Duration::from_millis(100);
                maintenance::run(&h.app).await.expect("a maintenance run");
                runs += 1;
                tokio::time::sleep_until(next).await;
            }
            runs
        };
        let (_, runs) = tokio::join!(join_all(buying), reconciling);
        assert!(runs >= 10, "round {round}: the reconciler ran only {runs} times");
        assert!(sold.load(Ordering::Relaxed) > 100, "round {round}: the sale hardly ran");

        for (sector, b) in books(&h, &event).await {
            assert_eq!(b.capacity, CAPACITY, "round {round}, sector {sector}: capacity unchanged");
            assert_eq!(
                b.held_by_orders + b.in_stock,
                b.capacity,
                "round {round}, sector {sector}: held by orders + in stock = capacity ({b:?}, {} sold)",
                sold.load(Ordering::Relaxed)
            );
        }
        assert_eq!(
            h.available(&event, "Pista").await,
            CAPACITY - sold.load(Ordering::Relaxed) as i64,
            "round {round}: what buyers see left is capacity minus what they bought"
        );
    }
    h.finish().await;
}

#[tokio::test]
async fn a_take_whose_process_died_before_writing_its_order_is_returned_once_after_the_grace() {
    let h = Harness::start_with(|c| c.take_grace_seconds = 1).await;
    let event = h.event(&[("Pista", 10_000, 50)]).await;
    let buyer = h.buyer().await;
    // A reservation that lived: its tickets must stay held through all of this.
    let kept = reserve_ok(&h, &buyer, &event, 2).await;
    assert_eq!(h.available(&event, "Pista").await, 48);

    // A reservation takes its stock, then its process dies before the order is written.
    let stored = h.app.events.find(&event_id(&event)).await.expect("find").expect("the event");
    let sector_id = stored.sectors[0].id.clone();
    let (dead_order, dead_buyer) = (OrderId::generate(), UserId::generate());
    let take = TakeRequest {
        event: &stored,
        sector_id: &sector_id,
        lot: 0,
        price_type: PriceType::Full,
        quantity: 3,
        order_id: &dead_order,
        user_id: &dead_buyer,
        at: h.app.clock.now(),
    };
    assert!(matches!(h.app.inventory.take(&take).await.expect("take"), Take::Taken { .. }));
    assert_eq!(h.available(&event, "Pista").await, 45, "the dead take holds 3");

    let young = maintenance::run(&h.app).await.expect("maintenance");
    assert_eq!(young.takes_returned, 0, "a take younger than the grace may still be writing its order");
    assert_eq!(h.available(&event, "Pista").await, 45, "nothing returned before the grace");

    h.clock.advance(chrono::Duration::seconds(5));
    let first = maintenance::run(&h.app).await.expect("maintenance");
    assert_eq!(first.takes_returned, 1, "past the grace, the orphaned take is returned");
    assert_eq!(h.available(&event, "Pista").await, 48, "+3, once");
    let second = maintenance::run(&h.app).await.expect("maintenance");
    assert_eq!(second.takes_returned, 0, "returned once, not again");
    assert_eq!(h.available(&event, "Pista").await, 48, "+3, not +6");

    assert_eq!(h.order(&buyer, &kept).await["status"], "reserved", "the live order keeps its hold");
    for (sector, b) in books(&h, &event).await {
        assert_eq!(b.held_by_orders + b.in_stock, b.capacity, "sector {sector}: {b:?}");
    }
    h.finish().await;
}

/// Reservations outlived by the reconciler: the clock jumps past the take grace over and
/// over while buyers reserve and cancel across buckets of 2 (so every reservation of 3
/// gathers, holding two buckets in turn), and the reconciler runs between the jumps,
/// fencing the ids of takes it finds too old — after the order is stored (the order then
/// stands), mid-gather, or between the take and the order. Each reservation ends stored
/// (201), short (409) or undone (`503 reservation_undone`); after every round held by orders
/// + in stock = capacity: an undone reservation gave back everything it took itself. (Only
/// a stranding near the end of a round outlives the next reconciler pass, which repairs it
/// within milliseconds: the old arm that gave nothing back failed here about 1 run in 2; the
/// property test and `bilheteria-stock-check` are the longer checks of the same invariant.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reservations_outlived_by_the_reconciler_give_back_all_they_took_themselves() {
    const ROUNDS: usize = 5;
    const BUYERS: usize = 8;
    const ROUND: Duration = Duration::from_secs(2);
    const RECONCILERS: usize = 4;
    let h = Harness::start_with(|c| c.take_grace_seconds = 1).await;
    let admin = h.admin().await;
    let buyers = join_all((0..BUYERS).map(|_| h.buyer())).await;
    let (mut undone, mut stored) = (0, 0);
    for round in 0..ROUNDS {
        let body = serde_json::json!({
            "name": "Relógio adiantado", "venue": "Arena", "starts_at": "2035-01-01T20:00:00Z", "buckets": 16,
            "sectors": [{"name": "Pista", "price_cents": 10_000, "capacity": 32}],
        });
        let event = super::support::create_event(&h, &admin, body).await["id"].as_str().expect("id").to_string();
        let deadline = tokio::time::Instant::now() + ROUND;
        let buying = join_all(buyers.iter().map(|buyer| {
            let (h, event) = (&h, &event);
            async move {
                let (mut stored, mut undone) = (0, 0);
                while tokio::time::Instant::now() < deadline {
                    let r = h.reserve(buyer, event, "Pista", "full", 3).await;
                    match (r.status, r.body["code"].as_str()) {
                        (StatusCode::CREATED, _) => {
                            stored += 1;
                            // Cancelled at once, so the stock keeps moving for the whole round.
                            let cancel = format!("/api/v1/orders/{}/cancel", r.body["id"].as_str().expect("id"));
                            let c = h.post(&cancel, Some(buyer), serde_json::json!({})).await;
                            assert_eq!(c.status, StatusCode::OK, "round {round}: cancelling: {}", c.body);
                        }
                        (StatusCode::SERVICE_UNAVAILABLE, Some("reservation_undone")) => undone += 1,
                        (StatusCode::CONFLICT, Some("fewer_left" | "sold_out")) => {} // for now
                        (other, _) => panic!("round {round}: a reservation answered {other}: {}", r.body),
                    }
                }
                (stored, undone)
            }
        }));
        // Several reconcilers at once, each resolving this event's takes in a tight loop
        // (the part of `maintenance::reconcile` that fences and returns): a gather's few
        // milliseconds between its first hold and its order are then often caught.
        let event_key = event_id(&event);
        let outliving = join_all((0..RECONCILERS).map(|_| async {
            while tokio::time::Instant::now() < deadline {
                h.clock.advance(chrono::Duration::seconds(2));
                takes::resolve(&h.app, &event_key).await.expect("a reconciler pass");
            }
        }));
        let (outcomes, _) = tokio::join!(buying, outliving);
        stored += outcomes.iter().map(|o| o.0).sum::<usize>();
        undone += outcomes.iter().map(|o| o.1).sum::<usize>();
        for (sector, b) in books(&h, &event).await {
            assert_eq!(b.capacity, 32, "round {round}, sector {sector}: capacity unchanged");
            assert_eq!(b.held_by_orders + b.in_stock, b.capacity, "round {round}, sector {sector}: {b:?}");
        }
    }
    eprintln!("{stored} stored, {undone} undone");
    // Both ends of the race were run, or the rounds proved nothing.
    assert!(undone > 0, "no reservation was outlived by the reconciler ({stored} stored)");
    assert!(stored > 0, "no reservation was stored ({undone} undone)");
    h.finish().await;
}
