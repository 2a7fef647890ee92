//! The bucketed inventory under on-sale peaks: a hot sector's stock is split into up to 16
//! bucket documents; it must still sell to exactly zero, never oversell, never strand the
//! last tickets across buckets, and take returned stock back atomically.

use crate::helpers::Harness;
use futures::future::join_all;
use futures::{StreamExt, TryStreamExt};
use mongodb::bson::{doc, Document};
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

// ---------------------------------------------------------------------------------------
// Helpers of this file.
// ---------------------------------------------------------------------------------------

/// Creates an event with one sector "Pista" of `capacity` tickets in `buckets` buckets.
async fn event_in_buckets(h: &Harness, capacity: i64, buckets: u32) -> String {
    let admin = h.admin().await;
    let r = h
        .post(
            "/api/v1/admin/events",
            Some(&admin),
            json!({"name": "Pico de Vendas", "venue": "Arena", "starts_at": "2030-01-01T20:00:00Z", "buckets": buckets,
                   "sectors": [{"name": "Pista", "price_cents": 10_000, "capacity": capacity}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().expect("id").to_string()
}

async fn inventory(h: &Harness, event: &str) -> Vec<Value> {
    let admin = h.admin().await;
    let inv = h.get(&format!("/api/v1/admin/events/{event}/inventory"), Some(&admin)).await;
    assert_eq!(inv.status, StatusCode::OK, "{}", inv.body);
    inv.body["buckets"].as_array().expect("buckets").clone()
}

fn sum(buckets: &[Value], field: &str) -> i64 {
    buckets.iter().map(|b| b[field].as_i64().expect("number")).sum()
}

async fn orders_of(h: &Harness, event: &str) -> Vec<Document> {
    let stores = bilheteria::adapters::mongo::MongoStores::connect(&h.config).await.expect("db");
    let cursor = stores.database().collection::<Document>("orders").find(doc! {"event_id": event}).await.expect("find");
    cursor.try_collect().await.expect("orders")
}

fn int(d: &Document, k: &str) -> i64 {
    d.get_i64(k).or_else(|_| d.get_i32(k).map(i64::from)).unwrap_or_else(|_| panic!("no {k} in {d}"))
}

/// Tickets each bucket gave to orders that still hold them (reserved, payment pending, paid).
fn held_per_bucket(orders: &[Document]) -> HashMap<String, i64> {
    let mut held = HashMap::new();
    for o in orders.iter().filter(|o| matches!(o.get_str("status"), Ok("reserved" | "payment_pending" | "paid"))) {
        for a in o.get_array("allocations").expect("allocations") {
            let a = a.as_document().expect("allocation");
            *held.entry(a.get_str("bucket").expect("bucket").to_string()).or_insert(0) += int(a, "quantity");
        }
    }
    held
}

/// Every bucket's capacity equals what it still has plus what holding orders took from it.
fn assert_buckets_match_orders(buckets: &[Value], orders: &[Document]) {
    let held = held_per_bucket(orders);
    for b in buckets {
        let id = b["id"].as_str().expect("id");
        let (available, capacity) = (b["available"].as_i64().expect("a"), b["capacity"].as_i64().expect("c"));
        assert!(available >= 0, "bucket {id} went negative: {b}");
        assert_eq!(available + held.get(id).copied().unwrap_or(0), capacity, "bucket {id}: stock + held = capacity");
    }
}

// ---------------------------------------------------------------------------------------
// Tests.
// ---------------------------------------------------------------------------------------

/// One request of the peak: what it asked for, what it got, and when it started and ended on
/// a shared logical clock (a counter ticked at every start and every end).
struct Attempt {
    quantity: i64,
    status: StatusCode,
    started: u64,
    ended: u64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_thousand_buyers_of_one_to_four_tickets_sell_a_sector_of_a_thousand_to_exactly_zero() {
    let h = Harness::start().await;
    let event = event_in_buckets(&h, 1_000, 16).await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let wants: Vec<i64> = (0..2_000).map(|_| rng.random_range(1..=4)).collect();
    let buyers: Vec<String> = futures::stream::iter((0..2_000).map(|_| h.buyer())).buffered(64).collect().await;

    let clock = AtomicU64::new(0);
    let attempts: Vec<Attempt> = futures::stream::iter(buyers.iter().zip(&wants).map(|(b, q)| {
        let (h, event, clock) = (&h, &event, &clock);
        async move {
            let started = clock.fetch_add(1, Ordering::SeqCst);
            let r = h.reserve(b, event, "Pista", "full", *q).await;
            let ended = clock.fetch_add(1, Ordering::SeqCst);
            Attempt { quantity: *q, status: r.status, started, ended }
        }
    }))
    .buffer_unordered(128)
    .collect()
    .await;

    for a in &attempts {
        assert!(matches!(a.status, StatusCode::CREATED | StatusCode::CONFLICT), "unexpected {}", a.status);
    }
    let sold: i64 = attempts.iter().filter(|a| a.status == StatusCode::CREATED).map(|a| a.quantity).sum();
    assert_eq!(sold, 1_000, "the sector sells exactly its capacity");
    assert_eq!(h.available(&event, "Pista").await, 0, "…down to exactly zero");
    let orders = orders_of(&h, &event).await;
    assert_eq!(orders.iter().map(|o| int(o, "quantity")).sum::<i64>(), 1_000, "the orders agree");
    let buckets = inventory(&h, &event).await;
    assert_eq!(buckets.len(), 16);
    assert_eq!(sum(&buckets, "available"), 0);
    assert_buckets_match_orders(&buckets, &orders);
    let stores = bilheteria::adapters::mongo::MongoStores::connect(&h.config).await.expect("db");
    let docs: Vec<Document> = stores
        .database()
        .collection::<Document>("inventory")
        .find(doc! {"event_id": &event})
        .await
        .expect("find")
        .try_collect()
        .await
        .expect("inventory");
    let pending: i64 =
        docs.iter().map(|d| d.get_i64("pending").or_else(|_| d.get_i32("pending").map(i64::from)).unwrap_or(0)).sum();
    assert_eq!(pending, 0, "every gather's holds were settled");

    // No order was refused while enough stock remained. We cannot see the stock at the
    // instant a request was refused, but we can bound it from below: every order whose
    // request *started after the refusal ended* took its tickets after the refusal was
    // decided, so at that decision the sector still held at least those tickets (plus the
    // final stock, 0). Stock only ever goes down in this run (nothing is cancelled), so a
    // refusal of `q` tickets is provably wrong when that lower bound is ≥ `q`. The bound
    // is sound (a correct implementation never fails it) and, with 128 requests in flight
    // out of 2,000, tight: most of the run starts after any early refusal ends.
    let mut successes: Vec<(u64, i64)> =
        attempts.iter().filter(|a| a.status == StatusCode::CREATED).map(|a| (a.started, a.quantity)).collect();
    successes.sort_unstable();
    let mut wrongly_refused = Vec::new();
    for refused in attempts.iter().filter(|a| a.status == StatusCode::CONFLICT) {
        let first_later = successes.partition_point(|(started, _)| *started < refused.ended);
        let still_there: i64 = successes[first_later..].iter().map(|(_, q)| q).sum();
        if still_there >= refused.quantity {
            wrongly_refused.push((refused.quantity, still_there));
        }
    }
    assert!(
        wrongly_refused.is_empty(),
        "{} refusal(s) while at least that much stock remained (asked, provably left): {:?}",
        wrongly_refused.len(),
        &wrongly_refused[..wrongly_refused.len().min(20)]
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn five_hundred_buyers_racing_for_three_hundred_tickets_in_sixteen_buckets_buy_exactly_three_hundred() {
    let h = Harness::start().await;
    let event = event_in_buckets(&h, 300, 16).await;
    assert_eq!(inventory(&h, &event).await.len(), 16, "buckets explicitly on");
    let buyers = join_all((0..500).map(|_| h.buyer())).await;
    let replies = join_all(buyers.iter().map(|b| h.reserve(b, &event, "Pista", "full", 1))).await;
    let created = replies.iter().filter(|r| r.status == StatusCode::CREATED).count();
    let refused = replies.iter().filter(|r| r.status == StatusCode::CONFLICT).count();
    assert_eq!((created, refused), (300, 200), "statuses: {:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
    assert_eq!(h.available(&event, "Pista").await, 0);
    let orders = orders_of(&h, &event).await;
    assert_eq!(orders.len(), 300);
    let buckets = inventory(&h, &event).await;
    assert_eq!(sum(&buckets, "available"), 0);
    assert_buckets_match_orders(&buckets, &orders);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancelled_orders_return_their_stock_to_their_buckets_atomically_amid_new_sales() {
    let h = Harness::start().await;
    let event = event_in_buckets(&h, 200, 16).await;
    let buyers = join_all((0..60).map(|_| h.buyer())).await;
    // 40 orders of 3 (120 tickets), then cancel 20 of them while 20 others buy 2 each.
    let first = join_all(buyers[..40].iter().map(|b| h.reserve(b, &event, "Pista", "full", 3))).await;
    let ids: Vec<String> = first
        .iter()
        .map(|r| {
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.body["id"].as_str().expect("id").to_string()
        })
        .collect();
    assert_eq!(h.available(&event, "Pista").await, 80);

    let cancel_paths: Vec<String> = ids[..20].iter().map(|id| format!("/api/v1/orders/{id}/cancel")).collect();
    let cancels = join_all(buyers[..20].iter().zip(&cancel_paths).map(|(b, path)| h.post(path, Some(b), json!({}))));
    let sales = join_all(buyers[40..].iter().map(|b| h.reserve(b, &event, "Pista", "full", 2)));
    let (cancels, sales) = tokio::join!(cancels, sales);
    assert!(cancels.iter().all(|r| r.status == StatusCode::OK), "every cancel went through");
    assert!(sales.iter().all(|r| r.status == StatusCode::CREATED), "80 + 60 returned ≥ 40 asked for");

    // 200 − 20×3 still held − 20×2 new = 100, and each bucket agrees with its orders.
    assert_eq!(h.available(&event, "Pista").await, 100, "available went back up by the 60 returned");
    let buckets = inventory(&h, &event).await;
    assert_eq!(sum(&buckets, "available"), 100, "the buckets add up to the event view");
    assert_buckets_match_orders(&buckets, &orders_of(&h, &event).await);
    // Cancelling twice returns nothing twice.
    let again = h.post(&format!("/api/v1/orders/{}/cancel", ids[0]), Some(&buyers[0]), json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(h.available(&event, "Pista").await, 100);
    h.finish().await;
}

#[tokio::test]
async fn an_order_of_several_tickets_buys_the_last_ones_even_when_they_sit_in_different_buckets() {
    let h = Harness::start().await;
    // Sixteen buckets of one ticket each: after twelve singles, the last four are
    // necessarily in four different buckets.
    let event = event_in_buckets(&h, 16, 16).await;
    let buyer = h.buyer().await;
    for _ in 0..12 {
        assert_eq!(h.reserve(&buyer, &event, "Pista", "full", 1).await.status, StatusCode::CREATED);
    }
    let buckets = inventory(&h, &event).await;
    assert_eq!(buckets.len(), 16);
    let left: Vec<&Value> = buckets.iter().filter(|b| b["available"] == 1).collect();
    assert_eq!(left.len(), 4, "four tickets left, one per bucket: {buckets:?}");

    let last = h.reserve(&h.buyer().await, &event, "Pista", "full", 4).await;
    assert_eq!(last.status, StatusCode::CREATED, "the last four, gathered from four buckets: {}", last.body);
    let orders = orders_of(&h, &event).await;
    let last_id = last.body["id"].as_str().expect("id");
    let gathered = orders.iter().find(|o| o.get_str("_id") == Ok(last_id)).expect("order");
    assert_eq!(gathered.get_array("allocations").expect("allocations").len(), 4);
    assert_eq!(h.available(&event, "Pista").await, 0);
    assert_eq!(h.reserve(&buyer, &event, "Pista", "full", 1).await.status, StatusCode::CONFLICT);
    assert_buckets_match_orders(&inventory(&h, &event).await, &orders);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_multi_ticket_orders_share_out_tickets_spread_one_per_bucket() {
    let h = Harness::start().await;
    // Four orders of four, at once, for sixteen tickets in sixteen buckets of one: no bucket
    // can serve any of them alone, all must gather, and all four fit exactly.
    let event = event_in_buckets(&h, 16, 16).await;
    let buyers = join_all((0..4).map(|_| h.buyer())).await;
    let replies = join_all(buyers.iter().map(|b| h.reserve(b, &event, "Pista", "full", 4))).await;
    for r in &replies {
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    assert_eq!(h.available(&event, "Pista").await, 0);
    assert_buckets_match_orders(&inventory(&h, &event).await, &orders_of(&h, &event).await);

    // Half price spread the same way: 40% of 16 = 6 half-price tickets over the buckets.
    let event = event_in_buckets(&h, 16, 16).await;
    let replies = join_all(buyers.iter().map(|b| h.reserve(b, &event, "Pista", "half", 3))).await;
    let created = replies.iter().filter(|r| r.status == StatusCode::CREATED).count();
    assert_eq!(
        created,
        2,
        "two orders of three use the whole half-price share: {:?}",
        replies.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    let view = h.get(&format!("/api/v1/events/{event}"), None).await.body;
    assert_eq!(view["sectors"][0]["half_available"], 0);
    assert_eq!(view["sectors"][0]["available"], 10);
    h.finish().await;
}
