//! An event's status on the admin side — pause and resume, delete, cancel (holds cancelled,
//! paid orders refunded, audited) — and admin accounts.

use super::{admin_view, body_with, id_of, user_id};
use crate::helpers::Harness;
use bilheteria::domain::{Message, OrderId};
use bilheteria::services::processing;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------
// Pause, delete, cancel.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn pausing_stops_new_reservations_at_once_but_a_held_order_can_still_be_paid() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let buyer = h.buyer().await;
    // Warm the event cache, so that the pause must win over a cached "active".
    let held = h.reserve(&buyer, &event, "Pista", "full", 2).await;
    assert_eq!(held.status, StatusCode::CREATED);

    let paused = h
        .call(
            Method::PATCH,
            &format!("/api/v1/admin/events/{event}/status"),
            Some(&admin),
            Some(json!({"status": "paused"})),
        )
        .await;
    assert_eq!(paused.status, StatusCode::OK, "{}", paused.body);
    assert_eq!(paused.body["status"], "paused");
    let refused = h.reserve(&h.buyer().await, &event, "Pista", "full", 1).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "immediately after the pause: {}", refused.body);
    assert!(refused.body["detail"].as_str().expect("detail").contains("paused"));
    let public = h.get(&format!("/api/v1/events/{event}"), None).await;
    assert_eq!(public.status, StatusCode::OK, "a paused event stays visible");
    assert_eq!(public.body["status"], "paused");

    let pay = h.post(&format!("/api/v1/orders/{}/pay", id_of(&held)), Some(&buyer), json!({"method": "pix"})).await;
    assert_eq!(pay.status, StatusCode::ACCEPTED, "a hold may be paid while paused: {}", pay.body);
    assert_eq!(pay.body["status"], "payment_pending");

    for bad in ["cancelled", "deleted", "nonsense"] {
        let r = h
            .call(
                Method::PATCH,
                &format!("/api/v1/admin/events/{event}/status"),
                Some(&admin),
                Some(json!({"status": bad})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "status {bad}: {}", r.body);
    }
    let resumed = h
        .call(
            Method::PATCH,
            &format!("/api/v1/admin/events/{event}/status"),
            Some(&admin),
            Some(json!({"status": "active"})),
        )
        .await;
    assert_eq!(resumed.status, StatusCode::OK);
    assert_eq!(h.reserve(&buyer, &event, "Pista", "full", 1).await.status, StatusCode::CREATED);
    let actions: Vec<String> =
        h.app.audit.recent(50, &Default::default()).await.expect("audit").into_iter().map(|e| e.action).collect();
    assert!(
        actions.contains(&"event.pause".to_string()) && actions.contains(&"event.resume".to_string()),
        "{actions:?}"
    );
    h.finish().await;
}

#[tokio::test]
async fn deleting_an_event_with_an_order_is_409_and_without_one_is_204_and_it_is_gone_for_buyers() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let sold = h.event(&[("Pista", 10_000, 10)]).await;
    let unsold = h.event(&[("Pista", 10_000, 10)]).await;
    let buyer = h.buyer().await;
    assert_eq!(h.reserve(&buyer, &sold, "Pista", "full", 1).await.status, StatusCode::CREATED);

    let refused = h.call(Method::DELETE, &format!("/api/v1/admin/events/{sold}"), Some(&admin), None).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body["detail"].as_str().expect("detail").contains("cancel it instead"));
    assert_eq!(h.get(&format!("/api/v1/events/{sold}"), None).await.status, StatusCode::OK, "still there");
    assert_eq!(h.available(&sold, "Pista").await, 9);

    let deleted = h.call(Method::DELETE, &format!("/api/v1/admin/events/{unsold}"), Some(&admin), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    assert_eq!(h.get(&format!("/api/v1/events/{unsold}"), None).await.status, StatusCode::NOT_FOUND);
    let listed = h.get("/api/v1/events", None).await;
    let ids: Vec<&Value> = listed.body.as_array().expect("events").iter().map(|e| &e["id"]).collect();
    assert_eq!(ids, vec![&json!(sold)], "the deleted event is not listed");
    let admin_list = h.get("/api/v1/admin/events", Some(&admin)).await;
    assert!(admin_list.body.as_array().expect("events").iter().all(|e| e["id"] != unsold.as_str()));
    assert_eq!(h.reserve(&buyer, &unsold, "Pista", "full", 1).await.status, StatusCode::NOT_FOUND);
    let again = h.call(Method::DELETE, &format!("/api/v1/admin/events/{unsold}"), Some(&admin), None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "deleting twice");
    let edit = h
        .call(
            Method::PUT,
            &format!("/api/v1/admin/events/{unsold}"),
            Some(&admin),
            Some(body_with(json!([{"name": "Pista", "price_cents": 1, "capacity": 1}]))),
        )
        .await;
    assert_eq!(edit.status, StatusCode::NOT_FOUND, "a deleted event cannot be edited");
    let entry = h
        .app
        .audit
        .recent(50, &Default::default())
        .await
        .expect("audit")
        .into_iter()
        .find(|e| e.action == "event.delete")
        .expect("audited");
    assert_eq!(entry.target, unsold);
    assert!(entry.before.is_some() && entry.after.is_none());
    h.finish().await;
}

#[tokio::test]
async fn cancelling_an_event_cancels_its_holds_refunds_its_paid_orders_and_is_audited() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let admin_id = user_id(&h, &admin).await;
    let event = h.event(&[("Pista", 10_000, 20)]).await;
    let other = h.event(&[("Pista", 10_000, 20)]).await;
    let (ana, bia, caio) = (h.buyer().await, h.buyer().await, h.buyer().await);
    let reserved = id_of(&h.reserve(&ana, &event, "Pista", "full", 2).await);
    let paid = id_of(&h.reserve(&bia, &event, "Pista", "half", 3).await);
    let pay = h.post(&format!("/api/v1/orders/{paid}/pay"), Some(&bia), json!({"method": "pix"})).await;
    assert_eq!(pay.status, StatusCode::ACCEPTED, "{}", pay.body);
    assert!(h.settle_payment(&paid).await, "the payment was processed");
    assert_eq!(h.order(&bia, &paid).await["status"], "paid");
    assert_eq!(h.get(&format!("/api/v1/orders/{paid}/tickets"), Some(&bia)).await.body.as_array().expect("t").len(), 3);
    let pending = id_of(&h.reserve(&caio, &event, "Pista", "full", 1).await);
    let pay = h.post(&format!("/api/v1/orders/{pending}/pay"), Some(&caio), json!({"method": "pix"})).await;
    assert_eq!(pay.status, StatusCode::ACCEPTED);
    let elsewhere = id_of(&h.reserve(&ana, &other, "Pista", "full", 1).await);

    let r = h.post(&format!("/api/v1/admin/events/{event}/cancel"), Some(&admin), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "cancelled");

    assert_eq!(h.order(&ana, &reserved).await["status"], "cancelled", "holds are cancelled");
    let refunded = h.order(&bia, &paid).await;
    assert_eq!(refunded["status"], "refunded", "paid orders are refunded");
    assert!(refunded["refunded_at"].is_string());
    assert_eq!(
        h.get(&format!("/api/v1/orders/{paid}/tickets"), Some(&bia)).await.body,
        json!([]),
        "a refunded order has no valid tickets"
    );
    let pending_now = h.order(&caio, &pending).await;
    assert_ne!(pending_now["status"], "payment_pending", "a payment in flight does not survive the cancellation");
    // The consumer arriving later must not charge it.
    let id = OrderId::parse(&pending).expect("id");
    processing::process(&h.app, &Message::payment_requested(id, 1, h.app.clock.now())).await.expect("process");
    assert_ne!(h.order(&caio, &pending).await["status"], "paid", "no sale on a cancelled event");
    assert_eq!(h.order(&ana, &elsewhere).await["status"], "reserved", "other events' orders are untouched");

    // Buyers no longer see it; admins do, as cancelled; it cannot be cancelled twice.
    // Buyers still find its page, which says it was cancelled; it is no longer on sale.
    let page = h.get(&format!("/api/v1/events/{event}"), None).await;
    assert_eq!(
        (page.status, page.body["status"].as_str(), page.body["sales_open"].as_bool()),
        (StatusCode::OK, Some("cancelled"), Some(false))
    );
    assert!(h
        .get("/api/v1/events", None)
        .await
        .body
        .as_array()
        .expect("events")
        .iter()
        .all(|e| e["id"] != event.as_str()));
    assert_eq!(admin_view(&h, &admin, &event).await["status"], "cancelled");
    let late = h.reserve(&ana, &event, "Pista", "full", 1).await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    assert!(late.body["detail"].as_str().expect("detail").contains("cancelled"), "{}", late.body);
    let twice = h.post(&format!("/api/v1/admin/events/{event}/cancel"), Some(&admin), json!({})).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    let paused = h
        .call(
            Method::PATCH,
            &format!("/api/v1/admin/events/{event}/status"),
            Some(&admin),
            Some(json!({"status": "active"})),
        )
        .await;
    assert_eq!(paused.status, StatusCode::CONFLICT, "a cancelled event cannot be resumed");

    let log = h.app.audit.recent(50, &Default::default()).await.expect("audit");
    let entry = log.iter().find(|e| e.action == "event.cancel").expect("the cancellation is audited");
    assert_eq!(entry.actor.as_str(), admin_id, "who");
    assert_eq!(entry.target, event, "what");
    assert_eq!(entry.before.as_ref().expect("before")["status"], "active");
    assert_eq!(entry.after.as_ref().expect("after")["status"], "cancelling", "sales closed, the sweep begins");
    let done = log.iter().find(|e| e.action == "event.cancelled").expect("the end of the sweep is audited");
    assert_eq!((done.actor.as_str(), done.target.as_str()), (admin_id.as_str(), event.as_str()));
    assert_eq!(done.after.as_ref().expect("after")["status"], "cancelled");
    let created =
        log.iter().find(|e| e.action == "event.create" && e.target == event).expect("the creation is audited");
    assert!(created.before.is_none() && created.after.as_ref().expect("after")["name"] == "Show de Teste");
    h.finish().await;
}

// ---------------------------------------------------------------------------------------
// Admin accounts.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_buyer_registering_never_becomes_admin_but_an_admin_can_create_one() {
    let h = Harness::start().await;
    let sneaky = h
        .post(
            "/api/v1/auth/register",
            None,
            json!({"name": "Eve", "email": "eve@example.com", "password": "Girassol-Vitrola-42", "role": "admin"}),
        )
        .await;
    assert_eq!(sneaky.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", sneaky.body);
    let reg = h
        .post(
            "/api/v1/auth/register",
            None,
            json!({"name": "Eve", "email": "eve@example.com", "password": "Girassol-Vitrola-42"}),
        )
        .await;
    assert_eq!(reg.status, StatusCode::CREATED);
    assert_eq!(reg.body["role"], "buyer");
    let login = h
        .post("/api/v1/auth/login", None, json!({"email": "eve@example.com", "password": "Girassol-Vitrola-42"}))
        .await;
    let eve = login.body["access_token"].as_str().expect("token").to_string();
    assert_eq!(h.get("/api/v1/admin/events", Some(&eve)).await.status, StatusCode::FORBIDDEN);

    let admin = h.admin().await;
    let created = h
        .post(
            "/api/v1/admin/users",
            Some(&admin),
            json!({"name": "Bruna", "email": "Bruna@Example.com", "password": "Girassol-Vitrola-42"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["role"], "admin");
    assert_eq!(created.body["email"], "bruna@example.com");
    assert!(created.body.get("password_hash").is_none());
    let login = h
        .post("/api/v1/auth/login", None, json!({"email": "bruna@example.com", "password": "Girassol-Vitrola-42"}))
        .await;
    assert_eq!(login.status, StatusCode::OK);
    let bruna = login.body["access_token"].as_str().expect("token").to_string();
    assert_eq!(h.get("/api/v1/admin/events", Some(&bruna)).await.status, StatusCode::OK, "the new admin is an admin");

    for taken in ["bruna@example.com", "EVE@example.com"] {
        let again = h
            .post(
                "/api/v1/admin/users",
                Some(&admin),
                json!({"name": "Outra", "email": taken, "password": "Girassol-Vitrola-42"}),
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{taken}: {}", again.body);
    }
    let still_buyer = h.get("/api/v1/me", Some(&eve)).await;
    assert_eq!(still_buyer.body["role"], "buyer", "an existing buyer is not promoted by a taken e-mail");
    let weak = h
        .post("/api/v1/admin/users", Some(&admin), json!({"name": "Fraca", "email": "f@example.com", "password": "1"}))
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    let entry = h
        .app
        .audit
        .recent(50, &Default::default())
        .await
        .expect("audit")
        .into_iter()
        .find(|e| e.action == "user.create_admin")
        .expect("audited");
    assert_eq!(entry.target, created.body["id"].as_str().expect("id"));
    assert_eq!(entry.actor.as_str(), user_id(&h, &admin).await);
    h.finish().await;
}
