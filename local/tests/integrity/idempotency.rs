//! An Idempotency-Key claimed by a reservation whose process died before creating its order
//! blocks retries only while the claim's lease lasts; then a retry reserves, once, however
//! many retries arrive together, and later replays return that order.

use super::support::{id_of, user};
use crate::helpers::Harness;
use bilheteria::domain::{OrderId, Role};
use futures::future::join_all;
use mongodb::bson::{doc, DateTime as BsonDateTime, Document};
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn reserve_with_key(h: &Harness, token: &str, event: &str, key: &str) -> crate::helpers::Reply {
    let body = json!({"event_id": event, "sector": "Pista", "price_type": "full", "quantity": 1});
    h.call_with(Method::POST, "/api/v1/orders", Some(token), Some(body), &[("idempotency-key", key)]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_key_claimed_by_a_process_that_died_lapses_and_then_reserves_exactly_once() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 100)]).await;
    let (buyer_id, buyer) = user(&h, Role::Buyer).await;
    let mut reserved = 0;
    for round in 0..3 {
        let key = format!("retry-{round}-{}", OrderId::generate());
        // The claim as a reservation leaves it when its process dies before the order exists.
        let now = h.app.clock.now();
        let ghost = OrderId::generate();
        h.app
            .stores
            .database()
            .collection::<Document>("idempotency")
            .insert_one(doc! {
                "_id": format!("{buyer_id}:{key}"),
                "order_id": ghost.to_string(),
                "fingerprint": format!("{event}|Pista|full|1"),
                "created_at": BsonDateTime::from_millis(now.timestamp_millis()),
                "lapses_at": BsonDateTime::from_millis((now + chrono::Duration::seconds(60)).timestamp_millis()),
            })
            .await
            .expect("a dead process's claim");

        let blocked = reserve_with_key(&h, &buyer, &event, &key).await;
        assert_eq!(blocked.status, StatusCode::CONFLICT, "round {round}: while the lease lasts: {}", blocked.body);
        assert_eq!(h.available(&event, "Pista").await, 100 - reserved, "round {round}: nothing taken");

        h.clock.advance(chrono::Duration::seconds(120));
        // The buyer's app retries, several times at once.
        let retries = join_all((0..8).map(|_| reserve_with_key(&h, &buyer, &event, &key))).await;
        for r in &retries {
            assert!(
                [StatusCode::CREATED, StatusCode::CONFLICT].contains(&r.status),
                "round {round}: a retry answered {} {}",
                r.status,
                r.body
            );
        }
        let created: Vec<String> = retries.iter().filter(|r| r.status == StatusCode::CREATED).map(id_of).collect();
        assert!(!created.is_empty(), "round {round}: after the lease lapsed a retry reserves: {:?}", retries[0].body);
        assert!(created.iter().all(|id| *id == created[0]), "round {round}: one order for one key: {created:?}");
        let order = created[0].clone();
        assert_ne!(order, ghost.to_string(), "round {round}: a new order, not the dead one's");
        reserved += 1;
        assert_eq!(h.available(&event, "Pista").await, 100 - reserved, "round {round}: one ticket taken, once");

        let replay = reserve_with_key(&h, &buyer, &event, &key).await;
        assert_eq!(replay.status, StatusCode::CREATED, "round {round}: {}", replay.body);
        assert_eq!(id_of(&replay), order, "round {round}: the replay returns that order");
        assert_eq!(
            replay.headers.get("idempotent-replayed").and_then(|v| v.to_str().ok()),
            Some("true"),
            "round {round}: marked as a replay"
        );
        let mine = h.get("/api/v1/orders", Some(&buyer)).await;
        let mine: Vec<&str> =
            mine.body.as_array().expect("the buyer's orders").iter().map(|o| o["id"].as_str().expect("id")).collect();
        assert_eq!(mine.len() as i64, reserved, "round {round}: one order per key, the dead one's none: {mine:?}");
        assert!(mine.contains(&order.as_str()), "round {round}");
    }
    h.finish().await;
}

/// A request that fails after its claim lapsed and a retry took the key over must not free
/// the retry's claim (else a third request with the key would reserve again): a release
/// frees the key only while the claim still names the releasing request's order.
#[tokio::test]
async fn a_failed_request_releases_its_key_only_while_the_claim_is_still_its_own() {
    use bilheteria::ports::Claim;
    let h = Harness::start().await;
    let (buyer, _) = user(&h, Role::Buyer).await;
    let claims = &h.app.idempotency;
    let (first, retry) = (OrderId::generate(), OrderId::generate());
    let now = h.app.clock.now();
    assert!(matches!(claims.claim(&buyer, "k", &first, "fp", now).await.expect("claim"), Claim::New));
    // The first request's lease lapses; a retry takes the key over.
    let later = now + chrono::Duration::hours(1);
    assert!(claims.take_over(&buyer, "k", &first, &retry, "fp", later).await.expect("take over"));

    // The first request fails late and releases: the retry's claim stays.
    claims.release(&buyer, "k", &first).await.expect("release");
    match claims.claim(&buyer, "k", &OrderId::generate(), "fp", later).await.expect("claim") {
        Claim::Existing { order_id, lapsed, .. } => {
            assert_eq!(order_id, retry, "the claim still names the retry's order");
            assert!(!lapsed, "and is still in its lease");
        }
        Claim::New => panic!("the first request's release freed the retry's claim"),
    }

    // The retry's own release frees it.
    claims.release(&buyer, "k", &retry).await.expect("release");
    assert!(matches!(claims.claim(&buyer, "k", &OrderId::generate(), "fp", later).await.expect("claim"), Claim::New));
    h.finish().await;
}
