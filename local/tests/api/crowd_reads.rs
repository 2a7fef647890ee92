//! The read path built for crowds: catalogue answers cacheable for a second with an ETag
//! (304 when unchanged), and a warm instance's copy of an event's availability.

use crate::helpers::Harness;
use reqwest::{Method, StatusCode};

fn header(reply: &crate::helpers::Reply, name: &str) -> String {
    reply.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

#[tokio::test]
async fn catalogue_answers_are_public_for_a_second_and_tagged() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 50)]).await;
    for path in [
        "/api/v1/events".to_string(),
        format!("/api/v1/events/{event}"),
        format!("/api/v1/events/{event}/quote?sector=Pista&price_type=full&quantity=2"),
    ] {
        let reply = h.get(&path, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(header(&reply, "cache-control"), "public, max-age=1, stale-while-revalidate=5", "{path}");
        assert!(header(&reply, "etag").starts_with('"'), "{path}");
    }
    let missing = h.get("/api/v1/events/not-an-id", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.headers.get("etag").is_none());
    assert_eq!(header(&missing, "cache-control"), "no-store", "an error is never kept at the edge");
    h.finish().await;
}

#[tokio::test]
async fn a_client_revalidating_an_unchanged_page_gets_304_and_a_changed_one_the_new_page() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 50)]).await;
    let path = format!("/api/v1/events/{event}");
    let first = h.get(&path, None).await;
    let tag = header(&first, "etag");

    let unchanged = h.call_with(Method::GET, &path, None, None, &[("if-none-match", &tag)]).await;
    assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED);
    assert_eq!(header(&unchanged, "etag"), tag);
    assert_eq!(unchanged.body, serde_json::Value::String(String::new()), "a 304 has no body");

    let buyer = h.buyer().await;
    assert_eq!(h.reserve(&buyer, &event, "Pista", "full", 2).await.status, StatusCode::CREATED);
    let changed = h.call_with(Method::GET, &path, None, None, &[("if-none-match", &tag)]).await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_eq!(changed.body["sectors"][0]["available"], 48);
    assert_ne!(header(&changed, "etag"), tag);
    h.finish().await;
}

#[tokio::test]
async fn a_warm_instance_shows_its_copy_of_the_availability_while_it_is_fresh_and_admins_see_the_truth() {
    let h = Harness::start_with(|c| c.availability_cache_ms = 10_000).await;
    let event = h.event(&[("Pista", 10_000, 50)]).await;
    let path = format!("/api/v1/events/{event}");
    let before = h.get(&path, None).await;
    assert_eq!(before.body["sectors"][0]["available"], 50);

    let buyer = h.buyer().await;
    assert_eq!(h.reserve(&buyer, &event, "Pista", "full", 3).await.status, StatusCode::CREATED);
    let copy = h.get(&path, None).await;
    assert_eq!(copy.body["sectors"][0]["available"], 50, "the instance's copy, up to its lifetime old");
    assert_eq!(header(&copy, "etag"), header(&before, "etag"));

    let admin = h.admin().await;
    let listed = h.get("/api/v1/admin/events", Some(&admin)).await;
    let truth = listed.body.as_array().expect("a page").iter().find(|e| e["id"] == event.as_str()).expect("the event");
    assert_eq!(truth["sectors"][0]["available"], 47, "admins read the stock as it is");
    h.finish().await;
}

#[tokio::test]
async fn the_copy_never_sells_what_is_gone() {
    // The page may show a ticket a moment after it sold; the reservation is still refused.
    let h = Harness::start_with(|c| c.availability_cache_ms = 10_000).await;
    let event = h.event(&[("Pista", 10_000, 1)]).await;
    assert_eq!(h.get(&format!("/api/v1/events/{event}"), None).await.body["sectors"][0]["available"], 1);
    let (first, second) = (h.buyer().await, h.buyer().await);
    assert_eq!(h.reserve(&first, &event, "Pista", "full", 1).await.status, StatusCode::CREATED);
    assert_eq!(h.get(&format!("/api/v1/events/{event}"), None).await.body["sectors"][0]["available"], 1);
    let refused = h.reserve(&second, &event, "Pista", "full", 1).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    h.finish().await;
}
