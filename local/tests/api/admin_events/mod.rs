//! The admin side: managing events (create, edit, pause, cancel, delete) and admin accounts,
//! through the local router on the real server and broker.

mod create_and_edit;
mod status_and_accounts;

use crate::helpers::{Harness, Reply};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------
// Helpers of both halves.
// ---------------------------------------------------------------------------------------

/// Creates an event from a full `EventInput` body; returns the event view.
async fn create(h: &Harness, admin: &str, body: Value) -> Value {
    let r = h.post("/api/v1/admin/events", Some(admin), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "creating an event: {}", r.body);
    r.body
}

fn body_with(sectors: Value) -> Value {
    json!({"name": "Festival de Teste", "venue": "Arena", "starts_at": "2030-01-01T20:00:00Z", "sectors": sectors})
}

use bilheteria_local::stock_model::input_from_view;

/// Sets a single-lot sector's capacity in an edit body.
fn set_capacity(input: &mut Value, sector: &str, capacity: i64) {
    let s = input["sectors"].as_array_mut().expect("sectors").iter_mut().find(|s| s["name"] == sector).expect("sector");
    s["capacity"] = json!(capacity);
    s["lots"][0]["quantity"] = json!(capacity);
}

fn sector<'a>(view: &'a Value, name: &str) -> &'a Value {
    view["sectors"].as_array().expect("sectors").iter().find(|s| s["name"] == name).unwrap_or_else(|| {
        panic!("no sector '{name}' in {view}");
    })
}

async fn admin_view(h: &Harness, admin: &str, event: &str) -> Value {
    let all = h.get("/api/v1/admin/events", Some(admin)).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    all.body
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["id"] == event)
        .cloned()
        .expect("the event in the admin list")
}

async fn put(h: &Harness, admin: &str, event: &str, body: Value) -> Reply {
    h.call(Method::PUT, &format!("/api/v1/admin/events/{event}"), Some(admin), Some(body)).await
}

/// The sum of the available stock over the event's buckets, as the inventory view reports it.
async fn buckets_available(h: &Harness, admin: &str, event: &str, sector: &str) -> (i64, i64) {
    let inv = h.get(&format!("/api/v1/admin/events/{event}/inventory"), Some(admin)).await;
    assert_eq!(inv.status, StatusCode::OK, "{}", inv.body);
    let buckets: Vec<&Value> =
        inv.body["buckets"].as_array().expect("buckets").iter().filter(|b| b["sector"] == sector).collect();
    (
        buckets.iter().map(|b| b["available"].as_i64().expect("available")).sum(),
        buckets.iter().map(|b| b["capacity"].as_i64().expect("capacity")).sum(),
    )
}

fn id_of(reply: &Reply) -> String {
    reply.body["id"].as_str().unwrap_or_else(|| panic!("no id in {}", reply.body)).to_string()
}

async fn user_id(h: &Harness, token: &str) -> String {
    let me = h.get("/api/v1/me", Some(token)).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    me.body["id"].as_str().expect("id").to_string()
}
