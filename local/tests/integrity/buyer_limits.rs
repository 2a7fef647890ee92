//! An event's limit of tickets per buyer holds from the buyer's very first order, and under
//! a buyer's many orders at once.

use super::support::{create_event, event_body, id_of, live_orders, stock};
use crate::helpers::Harness;
use futures::future::join_all;
use reqwest::StatusCode;

#[tokio::test]
async fn a_first_order_above_the_limit_per_buyer_is_refused_and_takes_nothing() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let mut body = event_body("Limitado", "2030-01-01T20:00:00Z", &[("Pista", 10_000, 20)]);
    body["max_per_buyer"] = 2.into();
    let event = id_of_view(&create_event(&h, &admin, body).await);
    let buyer = h.buyer().await;

    let five = h.reserve(&buyer, &event, "Pista", "full", 5).await;
    assert_eq!(five.status, StatusCode::CONFLICT, "5 tickets when the limit is 2: {}", five.body);
    assert_eq!(h.available(&event, "Pista").await, 20, "nothing taken");
    assert_eq!(stock(&h, &event).await, (20, 20));
    let three = h.reserve(&buyer, &event, "Pista", "half", 3).await;
    assert_eq!(three.status, StatusCode::CONFLICT, "3 half-price tickets: {}", three.body);

    // The refusals counted nothing: the buyer still has their 2.
    let two = h.reserve(&buyer, &event, "Pista", "full", 2).await;
    assert_eq!(two.status, StatusCode::CREATED, "{}", two.body);
    let one_more = h.reserve(&buyer, &event, "Pista", "full", 1).await;
    assert_eq!(one_more.status, StatusCode::CONFLICT, "a third ticket: {}", one_more.body);
    assert_eq!(h.available(&event, "Pista").await, 18);
    let held: Vec<String> = live_orders(&h, &event).await.iter().map(|o| o.id.to_string()).collect();
    assert_eq!(held, vec![id_of(&two)], "one order holds the buyer's 2");
    // Another buyer has limits of their own.
    assert_eq!(h.reserve(&h.buyer().await, &event, "Pista", "full", 2).await.status, StatusCode::CREATED);
    h.finish().await;
}

fn id_of_view(view: &serde_json::Value) -> String {
    view["id"].as_str().expect("an event id").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_orders_at_once_by_one_buyer_against_a_per_cpf_limit_of_four_get_exactly_four_tickets() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    for round in 0..5 {
        let mut body = event_body("Limitado", "2030-01-01T20:00:00Z", &[("Pista", 10_000, 100)]);
        body["max_per_buyer"] = 4.into();
        let event = id_of_view(&create_event(&h, &admin, body).await);
        let buyer = h.buyer().await;
        let replies = join_all((0..20).map(|_| h.reserve(&buyer, &event, "Pista", "full", 1))).await;
        let created = replies.iter().filter(|r| r.status == StatusCode::CREATED).count();
        let refused = replies.iter().filter(|r| r.status == StatusCode::CONFLICT).count();
        assert_eq!(
            (created, refused),
            (4, 16),
            "round {round}: statuses {:?}",
            replies.iter().map(|r| r.status.as_u16()).collect::<Vec<_>>()
        );
        let orders = live_orders(&h, &event).await;
        let held: i64 = orders.iter().map(|o| o.quantity).sum();
        assert_eq!(held, 4, "round {round}: 4 tickets held");
        assert_eq!(h.available(&event, "Pista").await, 96, "round {round}: 4 taken, the refusals took nothing");
        // Counted for the person: under the buyer's CPF, not the account.
        let cpf = h.app.guard.caller(&buyer).await.expect("the buyer's token").cpf.expect("a CPF");
        let key = format!("cpf:{}", cpf.digits());
        assert!(orders.iter().all(|o| o.counted_as.as_deref() == Some(key.as_str())), "round {round}");
        let count = h.count("buyer_counts", mongodb::bson::doc! {"_id": format!("{key}/{event}"), "tickets": 4}).await;
        assert_eq!(count, 1, "round {round}: the CPF's count is 4");
    }
    h.finish().await;
}
