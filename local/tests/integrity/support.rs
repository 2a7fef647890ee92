//! Helpers of the integrity tests: acting as an admin with versions, and reading an event's
//! stock and orders the way an operator checking the books would.

use crate::helpers::{Harness, Reply};
use bilheteria::domain::{EventId, Order, OrderId, OrderStatus, Role, UserId};
use bilheteria_testkit::harness;
use mongodb::bson::{doc, Document};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// The statuses whose tickets are taken from the stock: held or sold.
pub const LIVE: [OrderStatus; 3] = [OrderStatus::Reserved, OrderStatus::PaymentPending, OrderStatus::Paid];

pub fn event_id(raw: &str) -> EventId {
    EventId::parse(raw).unwrap_or_else(|| panic!("'{raw}' is not an event id"))
}

pub fn order_id(raw: &str) -> OrderId {
    OrderId::parse(raw).unwrap_or_else(|| panic!("'{raw}' is not an order id"))
}

pub fn id_of(reply: &Reply) -> String {
    reply.body["id"].as_str().unwrap_or_else(|| panic!("no id in {} {}", reply.status, reply.body)).to_string()
}

/// A user of this role and their token (the harness's helpers give only the token).
pub async fn user(h: &Harness, role: Role) -> (UserId, String) {
    let email = format!("{}@example.com", harness::unique_name("user"));
    harness::user_with_role(&h.app, role, &email).await.expect("a user stored directly")
}

/// An event body with one single-lot sector per `(name, price, capacity)`.
pub fn event_body(name: &str, starts_at: &str, sectors: &[(&str, i64, i64)]) -> Value {
    let sectors: Vec<Value> =
        sectors.iter().map(|(n, p, c)| json!({"name": n, "price_cents": p, "capacity": c})).collect();
    json!({"name": name, "venue": "Arena", "starts_at": starts_at, "sectors": sectors})
}

/// Creates an event from a full body; returns its view.
pub async fn create_event(h: &Harness, admin: &str, body: Value) -> Value {
    let r = h.post("/api/v1/admin/events", Some(admin), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "creating an event: {}", r.body);
    r.body
}

/// The event as the admin list shows it (every status but deleted).
pub async fn admin_view(h: &Harness, admin: &str, event: &str) -> Value {
    admin_view_if_listed(h, admin, event).await.unwrap_or_else(|| panic!("event {event} is not in the admin list"))
}

pub async fn admin_view_if_listed(h: &Harness, admin: &str, event: &str) -> Option<Value> {
    let all = h.get("/api/v1/admin/events", Some(admin)).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    all.body.as_array().expect("a list of events").iter().find(|e| e["id"] == event).cloned()
}

pub fn version(view: &Value) -> i64 {
    view["version"].as_i64().unwrap_or_else(|| panic!("no integer 'version' in {view}"))
}

/// A version as an `If-Match` or `ETag` header carries it: quoted.
pub fn quoted(version: i64) -> String {
    format!("\"{version}\"")
}

pub fn sector<'a>(view: &'a Value, name: &str) -> &'a Value {
    view["sectors"]
        .as_array()
        .expect("sectors")
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no sector '{name}' in {view}"))
}

/// The body of an edit that leaves the event as its view shows it (sector ids included).
pub use bilheteria_local::stock_model::input_from_view;

/// Sets a single-lot sector's capacity in an edit body.
pub fn set_capacity(input: &mut Value, sector: &str, capacity: i64) {
    let s = input["sectors"].as_array_mut().expect("sectors").iter_mut().find(|s| s["name"] == sector).expect("sector");
    s["capacity"] = json!(capacity);
    s["lots"][0]["quantity"] = json!(capacity);
}

/// An admin request, with `If-Match: "<version>"` when a version is given.
pub async fn admin_call(
    h: &Harness,
    admin: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
    if_match: Option<i64>,
) -> Reply {
    let tag = if_match.map(quoted);
    let headers: Vec<(&str, &str)> = tag.iter().map(|t| ("if-match", t.as_str())).collect();
    h.call_with(method, path, Some(admin), body, &headers).await
}

pub async fn edit(h: &Harness, admin: &str, event: &str, body: Value, if_match: Option<i64>) -> Reply {
    admin_call(h, admin, Method::PUT, &format!("/api/v1/admin/events/{event}"), Some(body), if_match).await
}

pub async fn change_status(h: &Harness, admin: &str, event: &str, status: &str, if_match: Option<i64>) -> Reply {
    let path = format!("/api/v1/admin/events/{event}/status");
    admin_call(h, admin, Method::PATCH, &path, Some(json!({"status": status})), if_match).await
}

pub async fn cancel(h: &Harness, admin: &str, event: &str, if_match: Option<i64>) -> Reply {
    admin_call(h, admin, Method::POST, &format!("/api/v1/admin/events/{event}/cancel"), Some(json!({})), if_match).await
}

pub async fn delete(h: &Harness, admin: &str, event: &str, if_match: Option<i64>) -> Reply {
    admin_call(h, admin, Method::DELETE, &format!("/api/v1/admin/events/{event}"), None, if_match).await
}

/// Asks for the cancellation until it is done: 200 `cancelled`. A 202 `cancelling` means
/// that request ran out of time, and a 409 naming a `current_version` while the event is not
/// cancelled means another write landed between the server's read and its own: either way
/// the admin asks again.
pub async fn cancel_to_the_end(h: &Harness, admin: &str, event: &str) -> Reply {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let r = cancel(h, admin, event, None).await;
        let stale = r.status == StatusCode::CONFLICT
            && r.body["current_version"].is_i64()
            && stored_status(h, event).await != "cancelled";
        match r.status {
            StatusCode::OK => {
                assert_eq!(r.body["status"], "cancelled", "{}", r.body);
                return r;
            }
            StatusCode::ACCEPTED => assert_eq!(r.body["status"], "cancelling", "{}", r.body),
            StatusCode::CONFLICT if stale => {}
            other => panic!("cancelling {event}: {other} {}", r.body),
        }
        assert!(tokio::time::Instant::now() < deadline, "the cancellation of {event} never finished: {}", r.body);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Asserts a 409 stale-version refusal carrying the version that is current.
pub fn assert_stale(reply: &Reply, what: &str) -> i64 {
    assert_eq!(reply.status, StatusCode::CONFLICT, "{what}: {}", reply.body);
    reply.body["current_version"]
        .as_i64()
        .unwrap_or_else(|| panic!("{what}: the 409 names no integer current_version: {}", reply.body))
}

/// Asserts the `ETag` of an admin single-event response is the quoted version of its body.
pub fn assert_etag(reply: &Reply, what: &str) {
    let etag = reply
        .headers
        .get("etag")
        .unwrap_or_else(|| panic!("{what}: no ETag header ({:?})", reply.headers))
        .to_str()
        .expect("an ASCII ETag");
    assert_eq!(etag, quoted(version(&reply.body)), "{what}: the ETag is the body's version");
}

/// One sector's books: tickets held or sold by orders, tickets the buckets still have
/// (available, plus what gathers in flight hold), and the buckets' capacity.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Books {
    pub held_by_orders: i64,
    pub in_stock: i64,
    pub capacity: i64,
}

/// The books of every sector of an event, by sector id.
pub async fn books(h: &Harness, event: &str) -> BTreeMap<String, Books> {
    let id = event_id(event);
    let mut books: BTreeMap<String, Books> = BTreeMap::new();
    for b in h.app.inventory.buckets(&id).await.expect("buckets") {
        let entry = books.entry(b.sector_id.clone()).or_default();
        entry.in_stock += b.available + b.pending;
        entry.capacity += b.capacity;
    }
    for o in h.app.orders.by_event(&id, &LIVE).await.expect("orders") {
        books.entry(o.sector_id.clone()).or_default().held_by_orders += o.quantity;
    }
    books
}

pub async fn live_orders(h: &Harness, event: &str) -> Vec<Order> {
    h.app.orders.by_event(&event_id(event), &LIVE).await.expect("orders")
}

/// Sum of `available` over the event's buckets, and of their capacity.
pub async fn stock(h: &Harness, event: &str) -> (i64, i64) {
    let buckets = h.app.inventory.buckets(&event_id(event)).await.expect("buckets");
    (buckets.iter().map(|b| b.available).sum(), buckets.iter().map(|b| b.capacity).sum())
}

/// The event's status as stored.
pub async fn stored_status(h: &Harness, event: &str) -> String {
    let stored = h
        .app
        .stores
        .database()
        .collection::<Document>("events")
        .find_one(doc! {"_id": event})
        .await
        .expect("read the event")
        .unwrap_or_else(|| panic!("no event {event} stored"));
    stored.get_str("status").expect("a status").to_string()
}

/// Sets the event's stored status directly (as a process that died halfway would leave it),
/// and forgets the app's cached copy of it.
pub async fn set_stored_status(h: &Harness, event: &str, status: &str) {
    let done = h
        .app
        .stores
        .database()
        .collection::<Document>("events")
        .update_one(doc! {"_id": event}, doc! {"$set": {"status": status}})
        .await
        .expect("set the status");
    assert_eq!(done.matched_count, 1, "event {event} stored");
    h.app.recent_events.forget(&event_id(event));
}

pub async fn reserve_ok(h: &Harness, token: &str, event: &str, quantity: i64) -> String {
    let r = h.reserve(token, event, "Pista", "full", quantity).await;
    assert_eq!(r.status, StatusCode::CREATED, "reserving {quantity}: {}", r.body);
    id_of(&r)
}
