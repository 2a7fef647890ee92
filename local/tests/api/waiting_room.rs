//! The waiting room (docs/waiting-room.md), over HTTP against the real server: places, the
//! draw at the opening, the admission the reservation requires, and admission that knows
//! the stock. The tick is run by hand (`tick_all`), as the schedule would.

use crate::helpers::Harness;
use bilheteria::services::{maintenance, queue};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn status(h: &Harness, event: &str) -> Value {
    let reply = h.get(&format!("/api/v1/events/{event}/queue/status"), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

async fn admission(h: &Harness, token: &str, event: &str, place_token: &str) -> (StatusCode, Value) {
    let reply =
        h.post(&format!("/api/v1/events/{event}/queue/admission"), Some(token), json!({"token": place_token})).await;
    (reply.status, reply.body)
}

async fn reserve_admitted(
    h: &Harness,
    token: &str,
    event: &str,
    quantity: i64,
    admission: Option<&str>,
) -> (StatusCode, Value) {
    let mut body = json!({"event_id": event, "sector": "Pista", "price_type": "full", "quantity": quantity});
    if let Some(a) = admission {
        body["admission_token"] = a.into();
    }
    let reply = h.post("/api/v1/orders", Some(token), body).await;
    (reply.status, reply.body)
}

async fn tick(h: &Harness) -> i64 {
    queue::tick::tick_all(&h.app).await.expect("tick")
}

/// A buyer admitted to `event`: joins, waits for the tick, trades the place for an admission.
async fn admitted_buyer(h: &Harness, event: &str) -> (String, String) {
    let buyer = h.buyer().await;
    let place = h.join_queue(&buyer, event).await;
    h.clock.advance(chrono::Duration::seconds(1));
    tick(h).await;
    let (code, body) = admission(h, &buyer, event, place["token"].as_str().expect("token")).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    (buyer, body["admission_token"].as_str().expect("admission").to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joining_twice_returns_the_same_place_and_the_status_is_the_same_public_answer_for_everyone() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 100)]).await;
    assert_eq!(status(&h, &event).await["mode"], "off", "no queue until an admin sets one");
    h.queue_mode(&event, chrono::Duration::zero(), 60).await;
    let buyer = h.buyer().await;
    let first = h.join_queue(&buyer, &event).await;
    let again = h.join_queue(&buyer, &event).await;
    assert_eq!(first["place"], again["place"]);
    assert_eq!(first["place"], 1);
    let other = h.join_queue(&h.buyer().await, &event).await;
    assert_eq!(other["place"], 2, "after the opening, first come first served");

    let reply = h.get(&format!("/api/v1/events/{event}/queue/status"), None).await;
    assert_eq!(reply.body["mode"], "queue");
    assert_eq!(reply.body["length"], 2);
    assert_eq!(reply.body["serving"], 0);
    let cache = reply.headers.get("cache-control").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(cache.starts_with("public, max-age=1"), "CloudFront may keep it a second: {cache}");
    let etag = reply.headers.get("etag").and_then(|v| v.to_str().ok()).expect("etag").to_string();
    let unchanged = h
        .call_with(
            Method::GET,
            &format!("/api/v1/events/{event}/queue/status"),
            None,
            None,
            &[("if-none-match", &etag)],
        )
        .await;
    assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED, "nothing moved: the browser keeps what it has");

    let anonymous = h.post(&format!("/api/v1/events/{event}/queue"), None, json!({})).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let off = h.event(&[("Pista", 10_000, 10)]).await;
    let refused = h.post(&format!("/api/v1/events/{off}/queue"), Some(&buyer), json!({})).await;
    assert_eq!((refused.status, refused.body["code"].as_str()), (StatusCode::CONFLICT, Some("queue_off")));
    let unknown = h.post("/api/v1/events/not-an-id/queue", Some(&buyer), json!({})).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn those_who_came_before_the_opening_are_shuffled_at_it_and_those_after_are_served_in_order() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 100)]).await;
    h.queue_mode(&event, chrono::Duration::minutes(5), 60).await;
    let mut early = Vec::new();
    for _ in 0..30 {
        let buyer = h.buyer().await;
        let place = h.join_queue(&buyer, &event).await;
        assert_eq!(place["drawn"], false);
        assert_eq!(place["place"], Value::Null, "no place before the draw");
        early.push(buyer);
    }
    h.clock.advance(chrono::Duration::minutes(6));
    let mut places = Vec::new();
    for buyer in &early {
        places.push(h.join_queue(buyer, &event).await["place"].as_i64().expect("drawn at the opening"));
    }
    let mut sorted = places.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (1..=30).collect::<Vec<_>>(), "every early joiner has one of the first 30 places");
    assert_ne!(places, (1..=30).collect::<Vec<_>>(), "and not in the order they clicked");
    for expected in 31..=33 {
        assert_eq!(h.join_queue(&h.buyer().await, &event).await["place"], expected, "late joiners queue behind");
    }
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_order_is_accepted_without_a_valid_unexpired_admission_for_that_event() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 100)]).await;
    let other_event = h.event(&[("Pista", 10_000, 100)]).await;
    h.queue_mode(&event, chrono::Duration::zero(), 600).await;
    h.queue_mode(&other_event, chrono::Duration::zero(), 600).await;

    let (buyer, admission) = admitted_buyer(&h, &event).await;
    let (code, body) = reserve_admitted(&h, &buyer, &event, 1, None).await;
    assert_eq!((code, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("admission_required")), "{body}");
    assert_eq!(body["queue_url"], format!("/queue.html?event={event}"));
    let (code, _) = reserve_admitted(&h, &buyer, &event, 1, Some("a1.forged.token.1.x")).await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    let (_, for_other) = admitted_buyer(&h, &other_event).await;
    let (code, _) = reserve_admitted(&h, &buyer, &event, 1, Some(&for_other)).await;
    assert_eq!(code, StatusCode::FORBIDDEN, "another event's admission (and another account's)");
    let someone_else = h.buyer().await;
    let (code, _) = reserve_admitted(&h, &someone_else, &event, 1, Some(&admission)).await;
    assert_eq!(code, StatusCode::FORBIDDEN, "an admission is for its own account");
    assert_eq!(h.available(&event, "Pista").await, 100, "refusals take nothing");

    let (code, body) = reserve_admitted(&h, &buyer, &event, 1, Some(&admission)).await;
    assert_eq!(code, StatusCode::CREATED, "{body}");

    h.clock.advance(chrono::Duration::seconds(h.config.admission_ttl_seconds + 1));
    let (code, body) = reserve_admitted(&h, &buyer, &event, 1, Some(&admission)).await;
    assert_eq!((code, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("admission_expired")));

    // Turned off, the event sells as before.
    let admin = h.admin().await;
    let opens_at = h.app.clock.now().to_rfc3339();
    let off = h
        .call(
            Method::PUT,
            &format!("/api/v1/admin/events/{event}/queue"),
            Some(&admin),
            Some(json!({"enabled": false, "opens_at": opens_at, "rate_per_minute": 600})),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK);
    let (code, _) = reserve_admitted(&h, &buyer, &event, 1, None).await;
    assert_eq!(code, StatusCode::CREATED);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_is_admitted_only_when_the_queue_reaches_their_place() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 1_000)]).await;
    h.queue_mode(&event, chrono::Duration::zero(), 60).await;
    let buyers: Vec<String> = futures::future::join_all((0..3).map(|_| h.buyer())).await;
    let mut places = Vec::new();
    for b in &buyers {
        places.push(h.join_queue(b, &event).await);
    }
    h.clock.advance(chrono::Duration::seconds(1));
    assert_eq!(tick(&h).await, 1, "60 a minute: one a second");
    let token = |i: usize| places[i]["token"].as_str().expect("token").to_string();
    let (code, _) = admission(&h, &buyers[0], &event, &token(0)).await;
    assert_eq!(code, StatusCode::OK);
    let (code, body) = admission(&h, &buyers[2], &event, &token(2)).await;
    assert_eq!(
        (code, body["code"].as_str(), body["place"].as_i64()),
        (StatusCode::CONFLICT, Some("not_your_turn"), Some(3))
    );
    let (code, body) = admission(&h, &buyers[1], &event, &token(2)).await;
    assert_eq!((code, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("invalid_place_token")), "another's place");
    h.clock.advance(chrono::Duration::seconds(2));
    assert_eq!(tick(&h).await, 2);
    let (code, _) = admission(&h, &buyers[2], &event, &token(2)).await;
    assert_eq!(code, StatusCode::OK);

    let admin = h.admin().await;
    let view = h.get(&format!("/api/v1/admin/events/{event}/queue"), Some(&admin)).await;
    assert_eq!(view.status, StatusCode::OK);
    assert_eq!((view.body["length"].as_i64(), view.body["serving"].as_i64()), (Some(3), Some(3)));
    assert_eq!(view.body["admitted_last_minute"].as_i64(), Some(3));
    let buyer_view = h.get(&format!("/api/v1/admin/events/{event}/queue"), Some(&buyers[0])).await;
    assert_eq!(buyer_view.status, StatusCode::FORBIDDEN, "the admins' view is for admins");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admission_never_exceeds_what_the_stock_can_serve_closes_at_sold_out_and_reopens_when_holds_expire() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 6)]).await;
    h.queue_mode(&event, chrono::Duration::zero(), 1_000_000).await;
    let mut waiting = Vec::new();
    for _ in 0..20 {
        let buyer = h.buyer().await;
        let place = h.join_queue(&buyer, &event).await;
        waiting.push((buyer, place["token"].as_str().expect("token").to_string()));
    }
    h.clock.advance(chrono::Duration::seconds(1));
    tick(&h).await;
    tick(&h).await;
    let first = status(&h, &event).await;
    assert_eq!(first["serving"], 6, "6 tickets, 1 per order before any order: 6 buyers, however fast the rate");

    // The first three buy two each: the stock is gone, their holds are pending.
    for (buyer, place) in &waiting[..3] {
        let (code, body) = admission(&h, buyer, &event, place).await;
        assert_eq!(code, StatusCode::OK, "{body}");
        let (code, body) = reserve_admitted(&h, buyer, &event, 2, body["admission_token"].as_str()).await;
        assert_eq!(code, StatusCode::CREATED, "{body}");
    }
    let sold_out = status(&h, &event).await;
    assert_eq!(sold_out["sold_out"], true, "the waiting room says so at once: {sold_out}");
    assert_eq!(sold_out["can_serve"], false);
    assert_eq!(sold_out["sectors"][0]["available"], false);
    h.clock.advance(chrono::Duration::seconds(1));
    tick(&h).await;
    assert_eq!(status(&h, &event).await["serving"], 6, "nobody more is admitted while nothing is on sale");

    // The holds run out: their stock comes back, and the queue moves for it.
    h.clock.advance(chrono::Duration::minutes(h.config.hold_minutes + 1));
    let expired = maintenance::expire_due_holds(&h.app).await.expect("expire");
    assert_eq!(expired, 3);
    tick(&h).await;
    let reopened = status(&h, &event).await;
    assert_eq!(reopened["sold_out"], false);
    let serving = reopened["serving"].as_i64().expect("serving");
    // 6 back; orders average 2 tickets: 3 buyers; the 3 admitted who never ordered are still
    // inside their window... past it now (the clock moved 11 minutes): 3 more at most.
    assert!(serving > 6 && serving <= 9, "reopened for what the stock can serve, at 2 a buyer: {serving}");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_turn_lasts_its_window_however_often_it_is_asked_for_and_a_buyer_who_missed_it_queues_again_at_the_end() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 1_000)]).await;
    h.queue_mode(&event, chrono::Duration::zero(), 600).await;
    let late_comer = h.buyer().await;
    let first = h.join_queue(&late_comer, &event).await;
    assert_eq!(first["place"], 1);
    for _ in 0..3 {
        h.join_queue(&h.buyer().await, &event).await;
    }
    h.clock.advance(chrono::Duration::seconds(1));
    tick(&h).await;
    let place_token = first["token"].as_str().expect("token").to_string();
    let (code, _) = admission(&h, &late_comer, &event, &place_token).await;
    assert_eq!(code, StatusCode::OK);

    // Past the turn's window, asking again renews nothing.
    h.clock.advance(chrono::Duration::seconds(h.config.admission_ttl_seconds + 1));
    let (code, body) = admission(&h, &late_comer, &event, &place_token).await;
    assert_eq!((code, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("admission_expired")), "{body}");

    // Coming back, they queue again behind everyone who joined meanwhile.
    let again = h.join_queue(&late_comer, &event).await;
    assert_eq!(again["place"], 5, "a new place at the end: {again}");
    assert_ne!(again["token"], first["token"]);
    let (code, _) = admission(&h, &late_comer, &event, &place_token).await;
    assert_eq!(code, StatusCode::FORBIDDEN, "the old place is gone");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_whose_event_is_deleted_closes_at_the_next_tick() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    h.queue_mode(&event, chrono::Duration::zero(), 600).await;
    h.delete_event(&event).await;
    tick(&h).await;
    let room = h.app.waiting_rooms.find(&bilheteria::domain::EventId::parse(&event).expect("id")).await.expect("read");
    assert_eq!(room.map(|r| r.settings.enabled), Some(false));
    let refused = h.post(&format!("/api/v1/events/{event}/queue"), Some(&h.buyer().await), json!({})).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_to_the_waiting_room_gets_a_clear_4xx_and_changes_nothing() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let admin = h.admin().await;
    let put = |body: Value| {
        let (h, admin, event) = (&h, admin.clone(), event.clone());
        async move { h.call(Method::PUT, &format!("/api/v1/admin/events/{event}/queue"), Some(&admin), Some(body)).await }
    };
    let now = h.app.clock.now().to_rfc3339();
    for (body, status) in [
        (json!({"enabled": true, "opens_at": now, "rate_per_minute": 0}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"enabled": true, "opens_at": now, "rate_per_minute": 1_000_001}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"enabled": true, "opens_at": "tomorrow", "rate_per_minute": 60}), StatusCode::UNPROCESSABLE_ENTITY),
        (
            json!({"enabled": true, "opens_at": now, "rate_per_minute": 60, "extra": 1}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let reply = put(body.clone()).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
    }
    let unknown = h
        .call(
            Method::PUT,
            &format!("/api/v1/admin/events/{}/queue", bilheteria::domain::EventId::generate()),
            Some(&admin),
            Some(json!({"enabled": true, "opens_at": now, "rate_per_minute": 60})),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let malformed = h.get("/api/v1/events/not-an-id/queue/status", None).await;
    assert_eq!(malformed.status, StatusCode::NOT_FOUND);
    assert_eq!(h.count("waiting_rooms", mongodb::bson::doc! {}).await, 0, "no refused setting made a room");

    h.queue_mode(&event, chrono::Duration::zero(), 60).await;
    let buyer = h.buyer().await;
    h.join_queue(&buyer, &event).await;
    for (body, status) in [
        (json!({}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"token": 7}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"token": "p1.x.y.e1.zz"}), StatusCode::FORBIDDEN),
    ] {
        let reply = h.post(&format!("/api/v1/events/{event}/queue/admission"), Some(&buyer), body.clone()).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
    }
    let status = h.get(&format!("/api/v1/events/{event}/queue/status"), None).await.body;
    assert_eq!((status["length"].as_i64(), status["serving"].as_i64()), (Some(1), Some(0)), "refusals admit nobody");
    h.finish().await;
}
