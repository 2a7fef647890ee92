//! Many buyers, one sector: never oversold, never leaked.

use crate::helpers::Harness;
use futures::future::join_all;
use mongodb::bson::{doc, Document};
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn five_hundred_buyers_racing_for_three_hundred_tickets_buy_exactly_three_hundred() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 300)]).await;
    let buyers = join_all((0..500).map(|_| h.buyer())).await;
    let replies = join_all(buyers.iter().map(|b| h.reserve(b, &event, "Pista", "full", 1))).await;
    let created = replies.iter().filter(|r| r.status == StatusCode::CREATED).count();
    let refused = replies.iter().filter(|r| r.status == StatusCode::CONFLICT).count();
    assert_eq!((created, refused), (300, 200), "statuses: {:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
    assert_eq!(h.available(&event, "Pista").await, 0);
    let stores = bilheteria::adapters::mongo::MongoStores::connect(&h.config).await.expect("db");
    let orders = stores
        .database()
        .collection::<Document>("orders")
        .count_documents(doc! {"event_id": &event})
        .await
        .expect("count");
    assert_eq!(orders, 300);
    h.finish().await;
}
