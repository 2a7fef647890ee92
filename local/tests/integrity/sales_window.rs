//! Sales close at the event's `sales_end_at`, or at its start: reservations after that are
//! refused, and a hold made before never outlives the close.

use super::support::{admin_view, create_event, event_body, stock};
use crate::helpers::Harness;
use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::StatusCode;
use serde_json::Value;

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn instant(v: &Value) -> DateTime<Utc> {
    let raw = v.as_str().unwrap_or_else(|| panic!("not a date: {v}"));
    DateTime::parse_from_rfc3339(raw).unwrap_or_else(|e| panic!("'{raw}': {e}")).with_timezone(&Utc)
}

fn body(starts_at: DateTime<Utc>, sales_end_at: Option<DateTime<Utc>>) -> Value {
    let mut body = event_body("Janela de Vendas", &rfc3339(starts_at), &[("Pista", 10_000, 20)]);
    if let Some(end) = sales_end_at {
        body["sales_end_at"] = rfc3339(end).into();
    }
    body
}

fn flags(view: &Value) -> (bool, bool) {
    let flag = |name: &str| view[name].as_bool().unwrap_or_else(|| panic!("no boolean '{name}' in {view}"));
    (flag("sales_open"), flag("past"))
}

#[tokio::test]
async fn sales_end_at_after_the_start_is_422_and_at_or_before_it_is_accepted() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let starts = h.app.clock.now() + chrono::Duration::days(30);
    let late =
        h.post("/api/v1/admin/events", Some(&admin), body(starts, Some(starts + chrono::Duration::minutes(1)))).await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY, "sales ending after the show began: {}", late.body);
    let listed = h.get("/api/v1/admin/events", Some(&admin)).await;
    assert_eq!(listed.body.as_array().map(Vec::len), Some(0), "nothing was created");
    for end in [starts, starts - chrono::Duration::hours(3)] {
        let view = create_event(&h, &admin, body(starts, Some(end))).await;
        assert_eq!(flags(&view), (true, false), "on sale, not past: {view}");
    }
    let without = create_event(&h, &admin, body(starts, None)).await;
    assert_eq!(flags(&without), (true, false), "sales_end_at is optional: {without}");
    h.finish().await;
}

#[tokio::test]
async fn reserving_after_sales_end_at_is_409_and_a_hold_made_before_expires_by_the_close() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let buyer = h.buyer().await;
    let now = h.app.clock.now();
    let starts = now + chrono::Duration::days(1);
    let in_an_hour = id_of_view(&create_event(&h, &admin, body(starts, Some(now + chrono::Duration::hours(1)))).await);
    // Closing sooner than a hold lasts (10 minutes).
    let closing_soon = now + chrono::Duration::minutes(5);
    let soon = id_of_view(&create_event(&h, &admin, body(starts, Some(closing_soon))).await);

    let public = h.get(&format!("/api/v1/events/{soon}"), None).await;
    assert_eq!(public.status, StatusCode::OK, "{}", public.body);
    assert_eq!(flags(&public.body), (true, false));
    let early = h.reserve(&buyer, &soon, "Pista", "full", 2).await;
    assert_eq!(early.status, StatusCode::CREATED, "before the close: {}", early.body);
    assert!(
        instant(&early.body["expires_at"]) <= closing_soon,
        "the hold ends no later than the sales ({} > {})",
        early.body["expires_at"],
        rfc3339(closing_soon)
    );
    let expires_before = h.reserve(&buyer, &in_an_hour, "Pista", "full", 1).await;
    assert_eq!(expires_before.status, StatusCode::CREATED, "{}", expires_before.body);

    h.clock.advance(chrono::Duration::hours(2));
    for event in [&in_an_hour, &soon] {
        let refused = h.reserve(&buyer, event, "Pista", "full", 1).await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "after sales_end_at: {}", refused.body);
        let fresh = h.reserve(&h.buyer().await, event, "Pista", "half", 1).await;
        assert_eq!(fresh.status, StatusCode::CONFLICT, "for another buyer too: {}", fresh.body);
        assert_eq!(flags(&admin_view(&h, &admin, event).await), (false, false), "closed, not yet past");
    }
    assert_eq!(stock(&h, &soon).await, (18, 20), "the refusals took nothing");
    h.finish().await;
}

#[tokio::test]
async fn reserving_after_the_event_started_is_409_and_a_hold_made_before_expires_by_the_start() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let buyer = h.buyer().await;
    let starts = h.app.clock.now() + chrono::Duration::minutes(3);
    let event = id_of_view(&create_event(&h, &admin, body(starts, None)).await);
    assert_eq!(flags(&h.get(&format!("/api/v1/events/{event}"), None).await.body), (true, false));
    let early = h.reserve(&buyer, &event, "Pista", "full", 1).await;
    assert_eq!(early.status, StatusCode::CREATED, "{}", early.body);
    assert!(
        instant(&early.body["expires_at"]) <= starts,
        "the hold ends no later than the show starts ({} > {})",
        early.body["expires_at"],
        rfc3339(starts)
    );

    h.clock.advance(chrono::Duration::hours(1));
    let late = h.reserve(&buyer, &event, "Pista", "full", 1).await;
    assert_eq!(late.status, StatusCode::CONFLICT, "after the start: {}", late.body);
    assert_eq!(flags(&admin_view(&h, &admin, &event).await), (false, true), "closed and past");
    assert_eq!(stock(&h, &event).await, (19, 20), "the refusal took nothing");
    h.finish().await;
}

fn id_of_view(view: &Value) -> String {
    view["id"].as_str().expect("an event id").to_string()
}
