//! Events have a version: an admin write built from what an admin saw wins only if nobody
//! changed the event since (`If-Match`), so two admins' edits never add up by accident, and
//! an edit cannot undo a pause or a cancellation that landed while it ran.

use super::support::{
    admin_view, assert_etag, assert_stale, cancel, cancel_to_the_end, change_status, delete, edit, input_from_view,
    live_orders, reserve_ok, sector, set_capacity, stock, version,
};
use crate::helpers::Harness;
use reqwest::StatusCode;
use serde_json::json;

const ROUNDS: usize = 5;

/// One 200 and one 409 (naming the version that won), in either order.
fn one_won_one_stale(a: &crate::helpers::Reply, b: &crate::helpers::Reply, what: &str) -> i64 {
    let statuses = (a.status, b.status);
    let (won, lost) = match statuses {
        (StatusCode::OK, StatusCode::CONFLICT) => (a, b),
        (StatusCode::CONFLICT, StatusCode::OK) => (b, a),
        _ => panic!("{what}: expected one 200 and one 409, got {statuses:?}: {} / {}", a.body, b.body),
    };
    assert_etag(won, what);
    let current = assert_stale(lost, what);
    assert_eq!(current, version(&won.body), "{what}: the 409 names the version that won");
    current
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_identical_edits_raising_a_capacity_from_the_same_version_apply_once() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    for round in 0..ROUNDS {
        let event = h.event(&[("Pista", 10_000, 10)]).await;
        let seen = admin_view(&h, &admin, &event).await;
        let mut raise = input_from_view(&seen);
        set_capacity(&mut raise, "Pista", 20);
        let (a, b) = tokio::join!(
            edit(&h, &admin, &event, raise.clone(), Some(version(&seen))),
            edit(&h, &admin, &event, raise.clone(), Some(version(&seen)))
        );
        let now = one_won_one_stale(&a, &b, &format!("round {round}"));
        assert!(now > version(&seen), "round {round}: the edit moved the version on");
        assert_eq!(h.available(&event, "Pista").await, 20, "round {round}: 10 more, not 20 more");
        assert_eq!(stock(&h, &event).await, (20, 20), "round {round}: the buckets agree");
        let after = admin_view(&h, &admin, &event).await;
        assert_eq!(sector(&after, "Pista")["capacity"], 20, "round {round}");
        assert_eq!(version(&after), now, "round {round}");
    }
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_identical_cuts_of_a_capacity_from_the_same_version_apply_once() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    for round in 0..ROUNDS {
        let event = h.event(&[("Pista", 10_000, 20)]).await;
        let seen = admin_view(&h, &admin, &event).await;
        let mut cut = input_from_view(&seen);
        set_capacity(&mut cut, "Pista", 10);
        let (a, b) = tokio::join!(
            edit(&h, &admin, &event, cut.clone(), Some(version(&seen))),
            edit(&h, &admin, &event, cut.clone(), Some(version(&seen)))
        );
        one_won_one_stale(&a, &b, &format!("round {round}"));
        assert_eq!(h.available(&event, "Pista").await, 10, "round {round}: cut once, not to zero");
        assert_eq!(stock(&h, &event).await, (10, 10), "round {round}: the buckets agree");
        assert_eq!(sector(&admin_view(&h, &admin, &event).await, "Pista")["capacity"], 10, "round {round}");
    }
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_edit_racing_a_cancellation_never_reopens_the_cancelled_event() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let buyer = h.buyer().await;
    for round in 0..ROUNDS {
        let event = h.event(&[("Pista", 10_000, 10)]).await;
        // Holds for the cancellation to cancel: it has work to do while the edit runs.
        for _ in 0..3 {
            reserve_ok(&h, &buyer, &event, 1).await;
        }
        let seen = admin_view(&h, &admin, &event).await;
        let mut raise = input_from_view(&seen);
        set_capacity(&mut raise, "Pista", 20);
        let (edited, cancelled) =
            tokio::join!(edit(&h, &admin, &event, raise, Some(version(&seen))), cancel_to_the_end(&h, &admin, &event));
        assert!(
            [StatusCode::OK, StatusCode::CONFLICT].contains(&edited.status),
            "round {round}: the edit answered {} {}",
            edited.status,
            edited.body
        );
        assert_eq!(cancelled.body["status"], "cancelled", "round {round}");

        let after = admin_view(&h, &admin, &event).await;
        assert_eq!(after["status"], "cancelled", "round {round}: the event ends cancelled, whoever came last");
        let refused = h.reserve(&h.buyer().await, &event, "Pista", "full", 1).await;
        assert_eq!(
            refused.status,
            StatusCode::CONFLICT,
            "round {round}: no sale on a cancelled event: {}",
            refused.body
        );
        assert!(live_orders(&h, &event).await.is_empty(), "round {round}: the holds were cancelled");
        let (available, capacity) = stock(&h, &event).await;
        assert_eq!(available, capacity, "round {round}: every held ticket went back");
        assert_eq!(
            sector(&after, "Pista")["capacity"],
            capacity,
            "round {round}: the event and its buckets agree on the capacity (the edit applied wholly or not at all)"
        );
    }
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_edit_racing_a_pause_leaves_an_event_whose_sales_match_its_status() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let buyer = h.buyer().await;
    let mut paused_rounds = 0;
    for round in 0..ROUNDS {
        let event = h.event(&[("Pista", 10_000, 10)]).await;
        reserve_ok(&h, &buyer, &event, 1).await; // the event cache is warm
        let seen = admin_view(&h, &admin, &event).await;
        let mut raise = input_from_view(&seen);
        set_capacity(&mut raise, "Pista", 20);
        let (edited, paused) = tokio::join!(
            edit(&h, &admin, &event, raise, Some(version(&seen))),
            change_status(&h, &admin, &event, "paused", None)
        );
        for (what, r) in [("edit", &edited), ("pause", &paused)] {
            assert!(
                [StatusCode::OK, StatusCode::CONFLICT].contains(&r.status),
                "round {round}: the {what} answered {} {}",
                r.status,
                r.body
            );
        }
        let after = admin_view(&h, &admin, &event).await;
        let late = h.reserve(&h.buyer().await, &event, "Pista", "full", 1).await;
        match after["status"].as_str() {
            Some("paused") => {
                paused_rounds += 1;
                assert_eq!(
                    late.status,
                    StatusCode::CONFLICT,
                    "round {round}: a paused event sells nothing: {}",
                    late.body
                );
            }
            Some("active") => {
                assert_eq!(paused.status, StatusCode::CONFLICT, "round {round}: an active event's pause did not win");
                assert_eq!(late.status, StatusCode::CREATED, "round {round}: an active event sells: {}", late.body);
            }
            other => panic!("round {round}: the event ended {other:?}"),
        }
        if paused.status == StatusCode::OK && edited.status == StatusCode::OK {
            assert!(version(&paused.body) != version(&edited.body), "round {round}: two writes, two versions");
        }
        let (_, capacity) = stock(&h, &event).await;
        assert_eq!(sector(&after, "Pista")["capacity"], capacity, "round {round}: event and buckets agree");
        // The admin whose pause lost the race reloads and pauses again: then it holds, and
        // the event sells nothing, whatever the edit did to its stock.
        if paused.status == StatusCode::CONFLICT {
            let again = change_status(&h, &admin, &event, "paused", None).await;
            assert_eq!(again.status, StatusCode::OK, "round {round}: the retried pause: {}", again.body);
            assert_eq!(admin_view(&h, &admin, &event).await["status"], "paused", "round {round}");
            let refused = h.reserve(&h.buyer().await, &event, "Pista", "full", 1).await;
            assert_eq!(refused.status, StatusCode::CONFLICT, "round {round}: paused sells nothing: {}", refused.body);
        }
    }
    eprintln!("the racing pause won {paused_rounds} of {ROUNDS} rounds; the others were refused and retried");
    h.finish().await;
}

#[tokio::test]
async fn a_cancelled_event_cannot_be_edited_paused_resumed_or_cancelled_again() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let seen = admin_view(&h, &admin, &event).await;
    let done = cancel_to_the_end(&h, &admin, &event).await;
    assert_etag(&done, "the cancellation");
    let current = version(&done.body);
    assert!(current > version(&seen), "the cancellation moved the version on");

    let mut raise = input_from_view(&seen);
    set_capacity(&mut raise, "Pista", 20);
    for if_match in [None, Some(current)] {
        let r = edit(&h, &admin, &event, raise.clone(), if_match).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "an edit (If-Match {if_match:?}): {}", r.body);
        for status in ["paused", "active"] {
            let r = change_status(&h, &admin, &event, status, if_match).await;
            assert_eq!(r.status, StatusCode::CONFLICT, "status {status} (If-Match {if_match:?}): {}", r.body);
        }
        let r = cancel(&h, &admin, &event, if_match).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "cancelling twice (If-Match {if_match:?}): {}", r.body);
    }
    let after = admin_view(&h, &admin, &event).await;
    assert_eq!(after["status"], "cancelled");
    assert_eq!(version(&after), current, "nothing was written");
    assert_eq!(stock(&h, &event).await, (10, 10), "the capacity did not change");
    h.finish().await;
}

#[tokio::test]
async fn every_admin_write_refuses_a_stale_if_match_with_the_current_version_and_works_without_one() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;

    let public = h.get(&format!("/api/v1/events/{event}"), None).await;
    let v0 = version(&public.body);
    assert_eq!(version(&admin_view(&h, &admin, &event).await), v0, "buyers and admins see the same version");

    // An edit with the version it was built from: 200, a new version, as the ETag too.
    let mut raise = input_from_view(&public.body);
    set_capacity(&mut raise, "Pista", 12);
    let r = edit(&h, &admin, &event, raise.clone(), Some(v0)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_etag(&r, "the edit");
    let v1 = version(&r.body);
    assert!(v1 > v0);
    assert_eq!(version(&h.get(&format!("/api/v1/events/{event}"), None).await.body), v1);

    // Every write made with the old version is refused, names v1, and changes nothing.
    let mut lower = raise.clone();
    set_capacity(&mut lower, "Pista", 11);
    assert_eq!(assert_stale(&edit(&h, &admin, &event, lower.clone(), Some(v0)).await, "a stale edit"), v1);
    assert_eq!(assert_stale(&change_status(&h, &admin, &event, "paused", Some(v0)).await, "a stale pause"), v1);
    assert_eq!(assert_stale(&cancel(&h, &admin, &event, Some(v0)).await, "a stale cancel"), v1);
    assert_eq!(assert_stale(&delete(&h, &admin, &event, Some(v0)).await, "a stale delete"), v1);
    let after = admin_view(&h, &admin, &event).await;
    assert_eq!((after["status"].clone(), version(&after)), (json!("active"), v1), "nothing was written");
    assert_eq!(stock(&h, &event).await, (12, 12));
    let buyer = h.buyer().await;
    let order = reserve_ok(&h, &buyer, &event, 1).await; // a refused pause or cancel closed nothing

    // Without If-Match, each works against the version the server read.
    let r = edit(&h, &admin, &event, lower, None).await;
    assert_eq!(r.status, StatusCode::OK, "an edit without If-Match: {}", r.body);
    assert_etag(&r, "the edit without If-Match");
    let v2 = version(&r.body);
    assert!(v2 > v1);
    assert_eq!(h.available(&event, "Pista").await, 10, "11 minus the one held");
    let cancelled = h.post(&format!("/api/v1/orders/{order}/cancel"), Some(&buyer), json!({})).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    let r = change_status(&h, &admin, &event, "paused", None).await;
    assert_eq!(r.status, StatusCode::OK, "a pause without If-Match: {}", r.body);
    assert_etag(&r, "the pause");
    let v3 = version(&r.body);
    assert!(v3 > v2);
    let r = change_status(&h, &admin, &event, "active", Some(v3)).await;
    assert_eq!(r.status, StatusCode::OK, "a resume with the current If-Match: {}", r.body);
    assert_etag(&r, "the resume");
    let v4 = version(&r.body);
    assert!(v4 > v3);
    reserve_ok(&h, &buyer, &event, 1).await; // resumed: on sale again
    assert_eq!(h.available(&event, "Pista").await, 10);

    // A delete with the current version (of an event without orders).
    let unsold = h.event(&[("Pista", 10_000, 10)]).await;
    let v = version(&admin_view(&h, &admin, &unsold).await);
    let r = delete(&h, &admin, &unsold, Some(v)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "a delete with the current If-Match: {}", r.body);
    assert_eq!(h.get(&format!("/api/v1/events/{unsold}"), None).await.status, StatusCode::NOT_FOUND);

    // The same for a cancellation with the current version.
    let other = h.event(&[("Pista", 10_000, 10)]).await;
    let v = version(&admin_view(&h, &admin, &other).await);
    let r = cancel(&h, &admin, &other, Some(v)).await;
    assert!(
        r.status == StatusCode::OK || r.status == StatusCode::ACCEPTED,
        "a cancel with the current If-Match: {} {}",
        r.status,
        r.body
    );
    if r.status == StatusCode::ACCEPTED {
        cancel_to_the_end(&h, &admin, &other).await; // it ran out of time: asked again
    } else {
        assert_etag(&r, "the cancellation");
    }
    assert_eq!(admin_view(&h, &admin, &other).await["status"], "cancelled");
    h.finish().await;
}
