//! Online check-in: a signed ticket enters once, whoever scans it and however many at once.

use super::{code, qr};
use crate::helpers::Harness;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use bilheteria::auth::TicketKeys;
use bilheteria::domain::ticket_code::TicketClaims;
use bilheteria::domain::{EventId, PriceType};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_ticket_enters_once_and_its_second_scan_says_when_and_at_which_gate() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let buyer = h.buyer().await;
    let (_, tickets) = h.paid_tickets(&buyer, &event, "half", 1).await;
    let gate = h.gate_staff(&event).await;

    let first = h.scan(&gate, &qr(&tickets[0]), "Norte").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["sector"], "Pista");
    assert_eq!(first.body["price_type"], "half");
    assert_eq!(first.body["entitlement"], "student");
    assert_eq!(first.body["half_price_notice"], "MEIA — conferir documento");
    assert_eq!(first.body["holder"]["name"], "Test User");
    let masked = first.body["holder"]["cpf_masked"].as_str().expect("masked cpf");
    assert!(masked.starts_with("***.") && masked.ends_with("-**"), "{masked}");
    assert_eq!(first.body["gate"], "Norte");

    let again = h.scan(&gate, &qr(&tickets[0]), "Sul").await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.body["code"], "already_used");
    assert_eq!(again.body["gate"], "Norte");
    assert_eq!(again.body["checked_in_at"], first.body["checked_in_at"]);
    h.finish().await;
}

#[tokio::test]
async fn a_hundred_gates_scanning_one_ticket_at_once_let_it_in_once() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let buyer = h.buyer().await;
    let (_, tickets) = h.paid_tickets(&buyer, &event, "full", 3).await;
    let gate = h.gate_staff(&event).await;
    for ticket in &tickets {
        let payload = qr(ticket);
        let scans = (0..100).map(|i| {
            let (h, gate, payload) = (&h, &gate, &payload);
            async move { h.scan(gate, payload, &format!("Portão {}", i % 10)).await.status }
        });
        let statuses = futures::future::join_all(scans).await;
        let admitted = statuses.iter().filter(|s| **s == StatusCode::OK).count();
        let refused = statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count();
        assert_eq!((admitted, refused), (1, 99), "{statuses:?}");
    }
    h.finish().await;
}

#[tokio::test]
async fn forged_tampered_truncated_and_foreign_key_codes_are_refused_as_invalid() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let buyer = h.buyer().await;
    let (_, tickets) = h.paid_tickets(&buyer, &event, "full", 1).await;
    let gate = h.gate_staff(&event).await;
    let real = qr(&tickets[0]);

    let mut bytes = URL_SAFE_NO_PAD.decode(&real["BLH1.".len()..]).expect("base64url");
    let holder_at = bytes.len() - 64 - 2;
    bytes[holder_at] ^= 0x20;
    let tampered = format!("BLH1.{}", URL_SAFE_NO_PAD.encode(&bytes));
    // The same claims signed by a key of the same id that is not ours.
    let claims = TicketClaims {
        key_id: "test".into(),
        ticket_id: code(&tickets[0]),
        event_id: EventId::parse(&event).expect("id"),
        issued_at: 1_780_000_000,
        price_type: PriceType::Full,
        entitlement: None,
        sector: "Pista".into(),
        lot: "Lote 1".into(),
        holder_name: "Test User".into(),
    };
    let foreign = TicketKeys::parse(&TicketKeys::generate("test").0, "").expect("keys").sign(&claims);
    for bad in [tampered, real[..real.len() - 3].to_string(), foreign, "BLH1.AAAA".into(), "not a ticket".into()] {
        let r = h.scan(&gate, &bad, "Norte").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
        assert_eq!(r.body["code"], "invalid_ticket");
    }
    // None of them used the ticket up.
    assert_eq!(h.scan(&gate, &real, "Norte").await.status, StatusCode::OK);
    h.finish().await;
}

#[tokio::test]
async fn after_a_key_rotation_old_tickets_still_enter_and_new_ones_carry_the_new_key() {
    let (old_secret, old_public) = TicketKeys::generate("k1");
    let (new_secret, _) = TicketKeys::generate("k2");
    let h =
        Harness::start_with(|c| c.ticket_keys = Some(TicketKeys::parse(&new_secret, &old_public).expect("keys"))).await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let buyer = h.buyer().await;
    let (_, tickets) = h.paid_tickets(&buyer, &event, "full", 2).await;
    assert_eq!(tickets[0]["key_id"], "k2");
    let keys = h.get("/api/v1/gate/keys", None).await;
    let kids: Vec<&str> =
        keys.body["keys"].as_array().expect("keys").iter().filter_map(|k| k["kid"].as_str()).collect();
    assert_eq!(kids, ["k2", "k1"]);
    // Ticket 2 as the old key had signed it before the rotation.
    let old = TicketKeys::parse(&old_secret, "").expect("old key");
    let claims = TicketClaims {
        key_id: "k1".into(),
        ticket_id: code(&tickets[1]),
        event_id: EventId::parse(&event).expect("id"),
        issued_at: 1_780_000_000,
        price_type: PriceType::Full,
        entitlement: None,
        sector: "Pista".into(),
        lot: tickets[1]["lot"].as_str().expect("lot").into(),
        holder_name: "Test User".into(),
    };
    let gate = h.gate_staff(&event).await;
    assert_eq!(h.scan(&gate, &qr(&tickets[0]), "Norte").await.status, StatusCode::OK);
    let r = h.scan(&gate, &old.sign(&claims), "Norte").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    h.finish().await;
}

#[tokio::test]
async fn a_refunded_ticket_is_gone_and_a_ticket_that_entered_stops_its_orders_refund() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let buyer = h.buyer().await;
    let gate = h.gate_staff(&event).await;
    let (refunded, tickets) = h.paid_tickets(&buyer, &event, "full", 1).await;
    let r = h.post(&format!("/api/v1/orders/{refunded}/refund"), Some(&buyer), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let scan = h.scan(&gate, &qr(&tickets[0]), "Norte").await;
    assert_eq!(scan.status, StatusCode::GONE, "{}", scan.body);
    assert_eq!((scan.body["code"].as_str(), scan.body["reason"].as_str()), (Some("ticket_revoked"), Some("refunded")));

    let (entered, tickets) = h.paid_tickets(&buyer, &event, "full", 2).await;
    assert_eq!(h.scan(&gate, &qr(&tickets[0]), "Norte").await.status, StatusCode::OK);
    let r = h.post(&format!("/api/v1/orders/{entered}/refund"), Some(&buyer), json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.body["code"], "ticket_used");
    assert_eq!(h.order(&buyer, &entered).await["status"], "paid");
    // The order's other ticket was made valid again.
    assert_eq!(h.scan(&gate, &qr(&tickets[1]), "Sul").await.status, StatusCode::OK);
    h.finish().await;
}

#[tokio::test]
async fn a_refund_racing_the_gate_either_refunds_a_ticket_that_never_entered_or_is_refused() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 40)]).await;
    let buyer = h.buyer().await;
    let gate = h.gate_staff(&event).await;
    let (mut refunds, mut entries) = (0, 0);
    for _ in 0..12 {
        let (order, tickets) = h.paid_tickets(&buyer, &event, "full", 1).await;
        let path = format!("/api/v1/orders/{order}/refund");
        let payload = qr(&tickets[0]);
        let (refund, scan) = tokio::join!(h.post(&path, Some(&buyer), json!({})), h.scan(&gate, &payload, "Norte"));
        let status = h.order(&buyer, &order).await["status"].as_str().expect("status").to_string();
        match (refund.status, scan.status) {
            (StatusCode::OK, StatusCode::GONE) => {
                assert_eq!(status, "refunded");
                refunds += 1;
            }
            (StatusCode::CONFLICT, StatusCode::OK) => {
                assert_eq!(status, "paid");
                assert_eq!(refund.body["code"], "ticket_used");
                entries += 1;
            }
            other => panic!("refund and entry both decided: {other:?} ({}, {})", refund.body, scan.body),
        }
    }
    assert_eq!(refunds + entries, 12);
    h.finish().await;
}

#[tokio::test]
async fn a_cancelled_events_tickets_are_refused_at_once() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let buyer = h.buyer().await;
    let (_, tickets) = h.paid_tickets(&buyer, &event, "full", 2).await;
    let gate = h.gate_staff(&event).await;
    assert_eq!(h.scan(&gate, &qr(&tickets[0]), "Norte").await.status, StatusCode::OK);
    let admin = h.admin().await;
    let cancel = h.post(&format!("/api/v1/admin/events/{event}/cancel"), Some(&admin), json!({})).await;
    assert!(cancel.status.is_success(), "{}", cancel.body);
    let scan = h.scan(&gate, &qr(&tickets[1]), "Norte").await;
    assert_eq!(scan.status, StatusCode::GONE, "{}", scan.body);
    assert_eq!(scan.body["reason"], "cancelled");
    h.finish().await;
}

#[tokio::test]
async fn gate_staff_scan_only_their_own_event_and_cannot_buy() {
    let h = Harness::start().await;
    let ours = h.event(&[("Pista", 10_000, 10)]).await;
    let theirs = h.event(&[("Pista", 10_000, 10)]).await;
    let buyer = h.buyer().await;
    let (_, tickets) = h.paid_tickets(&buyer, &theirs, "full", 1).await;
    let gate = h.gate_staff(&ours).await;
    let r = h.scan(&gate, &qr(&tickets[0]), "Norte").await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("wrong_event")));
    let manifest = h.get(&format!("/api/v1/gate/events/{theirs}/manifest"), Some(&gate)).await;
    assert_eq!(manifest.status, StatusCode::FORBIDDEN);
    assert_eq!(h.reserve(&gate, &ours, "Pista", "full", 1).await.status, StatusCode::FORBIDDEN);
    assert_eq!(h.get("/api/v1/admin/dashboard", Some(&gate)).await.status, StatusCode::FORBIDDEN);
    // A buyer is no gate.
    assert_eq!(h.scan(&buyer, &qr(&tickets[0]), "Norte").await.status, StatusCode::FORBIDDEN);
    h.finish().await;
}

#[tokio::test]
async fn an_events_cancellation_racing_its_gates_leaves_no_ticket_that_could_still_enter() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let buyer = h.buyer().await;
    for round in 0..5 {
        let event = h.event(&[("Pista", 10_000, 10)]).await;
        let gate = h.gate_staff(&event).await;
        let (_, tickets) = h.paid_tickets(&buyer, &event, "full", 4).await;
        let cancel_path = format!("/api/v1/admin/events/{event}/cancel");
        let payloads: Vec<String> = tickets.iter().map(qr).collect();
        let scans = futures::future::join_all(payloads.iter().map(|p| h.scan(&gate, p, "Norte")));
        let (cancel, scans) = tokio::join!(h.post(&cancel_path, Some(&admin), json!({})), scans);
        assert!(cancel.status.is_success(), "round {round}: {}", cancel.body);
        // Each scan either entered before the revocation or was refused as cancelled; after
        // it, every ticket that did not enter is refused.
        for (payload, scan) in payloads.iter().zip(&scans) {
            assert!([StatusCode::OK, StatusCode::GONE].contains(&scan.status), "round {round}: {}", scan.body);
            let again = h.scan(&gate, payload, "Sul").await;
            let expected = if scan.status == StatusCode::OK { StatusCode::CONFLICT } else { StatusCode::GONE };
            assert_eq!(again.status, expected, "round {round}: {}", again.body);
        }
    }
    h.finish().await;
}
