//! Who may do what on the admin side, creating events, and editing them: capacities up and
//! down, renamed and added sectors and lots, the half-price share.

use super::{admin_view, body_with, buckets_available, create, id_of, input_from_view, put, sector, set_capacity};
use crate::helpers::Harness;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------
// Who may do what.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn every_admin_operation_is_401_without_a_token_and_403_with_a_buyers_and_changes_nothing() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let buyer = h.buyer().await;
    let view = admin_view(&h, &admin, &event).await;
    let mut edit = input_from_view(&view);
    set_capacity(&mut edit, "Pista", 1);
    let calls: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, "/api/v1/admin/events".into(), None),
        (
            Method::POST,
            "/api/v1/admin/events".into(),
            Some(body_with(json!([{"name": "X", "price_cents": 1, "capacity": 1}]))),
        ),
        (Method::PUT, format!("/api/v1/admin/events/{event}"), Some(edit)),
        (Method::PATCH, format!("/api/v1/admin/events/{event}/status"), Some(json!({"status": "paused"}))),
        (Method::POST, format!("/api/v1/admin/events/{event}/cancel"), None),
        (Method::DELETE, format!("/api/v1/admin/events/{event}"), None),
        (
            Method::POST,
            "/api/v1/admin/users".into(),
            Some(json!({"name": "Mallory", "email": "mallory@example.com", "password": "Girassol-Vitrola-42"})),
        ),
    ];
    for (method, path, body) in &calls {
        let anonymous = h.call(method.clone(), path, None, body.clone()).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{method} {path} without a token: {}", anonymous.body);
        assert_eq!(anonymous.headers["content-type"], "application/problem+json");
        let tampered = h.call(method.clone(), path, Some("not.a.token"), body.clone()).await;
        assert_eq!(tampered.status, StatusCode::UNAUTHORIZED, "{method} {path} with a garbage token");
        let as_buyer = h.call(method.clone(), path, Some(&buyer), body.clone()).await;
        assert_eq!(as_buyer.status, StatusCode::FORBIDDEN, "{method} {path} with a buyer's token: {}", as_buyer.body);
        assert_eq!(as_buyer.headers["content-type"], "application/problem+json");
    }
    // Nothing happened: the event is as it was, no other event, no admin named Mallory.
    let after = admin_view(&h, &admin, &event).await;
    assert_eq!(after["status"], "active");
    assert_eq!(sector(&after, "Pista")["capacity"], 10);
    assert_eq!(h.available(&event, "Pista").await, 10);
    let all = h.get("/api/v1/admin/events", Some(&admin)).await;
    assert_eq!(all.body.as_array().expect("events").len(), 1, "no event was created");
    let mallory = h
        .post("/api/v1/auth/login", None, json!({"email": "mallory@example.com", "password": "Girassol-Vitrola-42"}))
        .await;
    assert_eq!(mallory.status, StatusCode::UNAUTHORIZED, "no account was created");
    assert!(h
        .app
        .audit
        .recent(50, &Default::default())
        .await
        .expect("audit")
        .iter()
        .all(|e| e.action == "event.create"));
    h.finish().await;
}

#[tokio::test]
async fn an_admin_creates_an_event_that_buyers_then_see_and_admins_list() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let created = create(
        &h,
        &admin,
        json!({"name": "Festival Sons do Brasil", "venue": "Allianz Parque", "starts_at": "2030-12-29T21:00:00Z",
               "description": "Três palcos", "image_url": "https://example.com/a.png", "max_per_order": 4,
               "sectors": [{"name": "Pista", "price_cents": 28_000, "capacity": 100},
                           {"name": "VIP", "price_cents": 50_001, "capacity": 10}]}),
    )
    .await;
    assert_eq!(created["status"], "active");
    assert_eq!(created["half_price_share_percent"], 40, "the default half-price share");
    assert_eq!(created["max_per_order"], 4);
    assert_eq!(created["max_per_buyer"], Value::Null);
    assert_eq!(sector(&created, "VIP")["half_price_cents"], 25_001, "half of 500,01 rounded to the cent");
    assert_eq!(sector(&created, "Pista")["half_available"], 40);
    let id = created["id"].as_str().expect("id");
    let public = h.get(&format!("/api/v1/events/{id}"), None).await;
    assert_eq!(public.status, StatusCode::OK);
    assert_eq!(public.body["name"], "Festival Sons do Brasil");
    assert_eq!(admin_view(&h, &admin, id).await["venue"], "Allianz Parque");

    let bad = h.post("/api/v1/admin/events", Some(&admin), body_with(json!([]))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "an event needs sectors");
    let lots_disagree = h
        .post(
            "/api/v1/admin/events",
            Some(&admin),
            body_with(json!([{"name": "Pista", "price_cents": 100, "capacity": 30,
                              "lots": [{"name": "1º lote", "price_cents": 100, "quantity": 10}]}])),
        )
        .await;
    assert_eq!(lots_disagree.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", lots_disagree.body);
    h.finish().await;
}

// ---------------------------------------------------------------------------------------
// Edits.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn raising_a_capacity_adds_the_difference_to_the_stock() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let event = h.event(&[("Pista", 10_000, 10), ("VIP", 30_000, 5)]).await;
    let buyer = h.buyer().await;
    assert_eq!(h.reserve(&buyer, &event, "Pista", "full", 3).await.status, StatusCode::CREATED);
    assert_eq!(h.available(&event, "Pista").await, 7);

    let mut edit = input_from_view(&admin_view(&h, &admin, &event).await);
    set_capacity(&mut edit, "Pista", 15);
    let r = put(&h, &admin, &event, edit).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(sector(&r.body, "Pista")["capacity"], 15);
    assert_eq!(h.available(&event, "Pista").await, 12, "7 left + 5 more");
    assert_eq!(h.available(&event, "VIP").await, 5, "the other sector is untouched");
    assert_eq!(buckets_available(&h, &admin, &event, "Pista").await, (12, 15), "the buckets agree");
    assert_eq!(sector(&r.body, "Pista")["half_available"], 6, "the half-price share grows with it: 40% of 15");
    // The new tickets really sell.
    for _ in 0..2 {
        assert_eq!(h.reserve(&h.buyer().await, &event, "Pista", "full", 6).await.status, StatusCode::CREATED);
    }
    assert_eq!(h.available(&event, "Pista").await, 0);
    h.finish().await;
}

#[tokio::test]
async fn lowering_a_capacity_below_what_is_sold_or_held_is_409_and_changes_nothing() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let buyer = h.buyer().await;
    let held = h.reserve(&buyer, &event, "Pista", "full", 3).await;
    assert_eq!(held.status, StatusCode::CREATED);
    let paid = h.reserve(&buyer, &event, "Pista", "half", 2).await;
    assert_eq!(paid.status, StatusCode::CREATED);
    let pay = h.post(&format!("/api/v1/orders/{}/pay", id_of(&paid)), Some(&buyer), json!({"method": "pix"})).await;
    assert_eq!(pay.status, StatusCode::ACCEPTED, "{}", pay.body);
    assert!(h.settle_payment(&id_of(&paid)).await, "the payment was processed");
    assert_eq!(h.order(&buyer, &id_of(&paid)).await["status"], "paid");
    assert_eq!(h.available(&event, "Pista").await, 5, "3 held + 2 sold of 10");

    let before = admin_view(&h, &admin, &event).await;
    let audit_before = h.app.audit.recent(50, &Default::default()).await.expect("audit").len();
    for capacity in [4, 1] {
        let mut edit = input_from_view(&before);
        set_capacity(&mut edit, "Pista", capacity);
        edit["name"] = json!("Renamed in the same edit");
        let r = put(&h, &admin, &event, edit).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "capacity {capacity} < 5 sold or held: {}", r.body);
        assert!(r.body["detail"].as_str().expect("detail").contains("unsold"), "{}", r.body);
    }
    let after = admin_view(&h, &admin, &event).await;
    assert_eq!(after, before, "nothing changed, not even the name");
    assert_eq!(h.available(&event, "Pista").await, 5);
    assert_eq!(buckets_available(&h, &admin, &event, "Pista").await, (5, 10));
    assert_eq!(
        h.app.audit.recent(50, &Default::default()).await.expect("audit").len(),
        audit_before,
        "a refused edit is not audited"
    );
    h.finish().await;
}

#[tokio::test]
async fn lowering_a_capacity_within_the_unsold_stock_takes_it_from_the_buckets() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    // 1,000 tickets: sixteen buckets.
    let event = h.event(&[("Pista", 10_000, 1_000)]).await;
    let buyer = h.buyer().await;
    for _ in 0..4 {
        assert_eq!(h.reserve(&buyer, &event, "Pista", "full", 5).await.status, StatusCode::CREATED);
    }
    assert_eq!(h.available(&event, "Pista").await, 980);

    let mut edit = input_from_view(&admin_view(&h, &admin, &event).await);
    set_capacity(&mut edit, "Pista", 100);
    let r = put(&h, &admin, &event, edit).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(sector(&r.body, "Pista")["capacity"], 100);
    assert_eq!(h.available(&event, "Pista").await, 80, "100 minus the 20 held");
    assert_eq!(buckets_available(&h, &admin, &event, "Pista").await, (80, 100));
    let half = sector(&r.body, "Pista")["half_available"].as_i64().expect("half");
    assert_eq!(half, 40, "the half-price share (40%) shrinks with the capacity");

    // Exactly down to what is held works too; one more is refused.
    let mut edit = input_from_view(&r.body);
    set_capacity(&mut edit, "Pista", 20);
    assert_eq!(put(&h, &admin, &event, edit.clone()).await.status, StatusCode::OK);
    assert_eq!(h.available(&event, "Pista").await, 0);
    set_capacity(&mut edit, "Pista", 19);
    assert_eq!(put(&h, &admin, &event, edit).await.status, StatusCode::CONFLICT);
    assert_eq!(h.reserve(&buyer, &event, "Pista", "full", 1).await.status, StatusCode::CONFLICT, "sold out");
    h.finish().await;
}

#[tokio::test]
async fn renaming_a_sector_by_its_id_keeps_its_orders_linked() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let event = h.event(&[("Pista", 10_000, 10), ("VIP", 30_000, 5)]).await;
    let buyer = h.buyer().await;
    let order = h.reserve(&buyer, &event, "Pista", "full", 2).await;
    assert_eq!(order.status, StatusCode::CREATED);
    let order_id = id_of(&order);
    let view = admin_view(&h, &admin, &event).await;
    let pista_id = sector(&view, "Pista")["id"].clone();

    // Without the id, a new name is a new sector, and the old one (with a sale) cannot go.
    let mut by_name = input_from_view(&view);
    by_name["sectors"][0]["id"] = Value::Null;
    by_name["sectors"][0]["name"] = json!("Pista Premium");
    let refused = put(&h, &admin, &event, by_name).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);

    let mut rename = input_from_view(&view);
    rename["sectors"][0]["name"] = json!("Pista Premium");
    let r = put(&h, &admin, &event, rename).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let renamed = sector(&r.body, "Pista Premium");
    assert_eq!(renamed["id"], pista_id, "same sector, new name");
    assert_eq!(renamed["available"], 8, "the held tickets stay taken");
    assert!(r.body["sectors"].as_array().expect("sectors").iter().all(|s| s["name"] != "Pista"));

    let seen = h.get(&format!("/api/v1/orders/{order_id}"), Some(&buyer)).await;
    assert_eq!(seen.status, StatusCode::OK, "the order is still the buyer's: {}", seen.body);
    assert_eq!(seen.body["status"], "reserved");
    assert_eq!(seen.body["quantity"], 2);
    assert_eq!(h.available(&event, "Pista Premium").await, 8);
    assert_eq!(buckets_available(&h, &admin, &event, "Pista Premium").await, (8, 10), "buckets carry the new name");

    // New reservations use the new name; the old one is unknown.
    assert_eq!(h.reserve(&buyer, &event, "Pista", "full", 1).await.status, StatusCode::NOT_FOUND);
    assert_eq!(h.reserve(&buyer, &event, "Pista Premium", "full", 1).await.status, StatusCode::CREATED);
    // Cancelling the old order returns its tickets to the renamed sector.
    let cancel = h.post(&format!("/api/v1/orders/{order_id}/cancel"), Some(&buyer), json!({})).await;
    assert_eq!(cancel.status, StatusCode::OK, "{}", cancel.body);
    assert_eq!(h.available(&event, "Pista Premium").await, 9);
    h.finish().await;
}

#[tokio::test]
async fn adding_a_sector_and_a_lot_opens_their_stock() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let view = admin_view(&h, &admin, &event).await;
    let mut edit = input_from_view(&view);
    {
        let pista = &mut edit["sectors"][0];
        pista["capacity"] = json!(15);
        pista["lots"]
            .as_array_mut()
            .expect("lots")
            .push(json!({"name": "2º lote", "price_cents": 15_000, "quantity": 5}));
    }
    edit["sectors"].as_array_mut().expect("sectors").push(json!({"name": "VIP", "price_cents": 40_000, "capacity": 6}));
    let r = put(&h, &admin, &event, edit).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let pista = sector(&r.body, "Pista");
    assert_eq!(pista["capacity"], 15);
    assert_eq!(pista["available"], 15);
    assert_eq!(pista["lots"].as_array().expect("lots").len(), 2);
    assert_eq!(pista["current_lot"], view["sectors"][0]["current_lot"], "the first lot still sells first");
    assert_eq!(sector(&r.body, "VIP")["available"], 6);
    assert_eq!(buckets_available(&h, &admin, &event, "VIP").await, (6, 6));

    let buyer = h.buyer().await;
    let vip = h.reserve(&buyer, &event, "VIP", "full", 2).await;
    assert_eq!(vip.status, StatusCode::CREATED, "{}", vip.body);
    assert_eq!(vip.body["unit_price_cents"], 40_000);
    for _ in 0..2 {
        assert_eq!(h.reserve(&h.buyer().await, &event, "Pista", "full", 5).await.status, StatusCode::CREATED);
    }
    let second_lot = h.reserve(&buyer, &event, "Pista", "full", 1).await;
    assert_eq!(second_lot.status, StatusCode::CREATED, "{}", second_lot.body);
    assert_eq!(second_lot.body["unit_price_cents"], 15_000, "the added lot sells once the first is gone");
    assert_eq!(second_lot.body["lot"], "2º lote");
    h.finish().await;
}

#[tokio::test]
async fn raising_a_capacity_spread_over_many_buckets_keeps_the_half_price_share() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let event = h.event(&[("Pista", 10_000, 1_000)]).await;
    let mut edit = input_from_view(&admin_view(&h, &admin, &event).await);
    set_capacity(&mut edit, "Pista", 1_100);
    let r = put(&h, &admin, &event, edit).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(sector(&r.body, "Pista")["available"], 1_100);
    assert_eq!(sector(&r.body, "Pista")["half_available"], 440, "40% of 1,100, not a sum of per-bucket floors");
    assert_eq!(buckets_available(&h, &admin, &event, "Pista").await, (1_100, 1_100));

    let mut edit = input_from_view(&r.body);
    edit["half_price_share_percent"] = json!(50);
    let r = put(&h, &admin, &event, edit).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(sector(&r.body, "Pista")["half_available"], 550, "a new share applies to the stock too");
    let buyer = h.buyer().await;
    let half = h.reserve(&buyer, &event, "Pista", "half", 2).await;
    assert_eq!(half.status, StatusCode::CREATED, "{}", half.body);
    assert_eq!(h.get(&format!("/api/v1/events/{event}"), None).await.body["sectors"][0]["half_available"], 548);
    h.finish().await;
}
