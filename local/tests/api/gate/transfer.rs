//! Transfers: at face value, to another verified account with a CPF, until the event's
//! window closes; the old code stops entering at once and the recipient's new one enters.

use super::{code, qr};
use crate::helpers::Harness;
use bilheteria::domain::{Role, User};
use reqwest::StatusCode;
use serde_json::json;

async fn email_of(h: &Harness, token: &str) -> String {
    let id = h.app.tokens.verify(token).expect("token").user_id;
    h.app.users.find_by_id(&id).await.expect("find").expect("user").email
}

async fn transfer(h: &Harness, token: &str, ticket: &str, body: serde_json::Value) -> crate::helpers::Reply {
    h.post(&format!("/api/v1/tickets/{ticket}/transfer"), Some(token), body).await
}

#[tokio::test]
async fn a_transfer_revokes_the_old_code_and_gives_the_recipient_a_new_signed_ticket() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let (seller, friend) = (h.buyer().await, h.buyer().await);
    let (order, tickets) = h.paid_tickets(&seller, &event, "full", 2).await;
    let friend_email = email_of(&h, &friend).await;

    let r = transfer(&h, &seller, &code(&tickets[0]), json!({"email": friend_email})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let given = &r.body["ticket"];
    assert_ne!(given["code"], tickets[0]["code"]);
    assert_eq!(given["transferred_from"], tickets[0]["code"]);
    assert_eq!(given["state"], "valid");

    let mine = h.get("/api/v1/tickets", Some(&friend)).await;
    let held: Vec<&str> = mine.body.as_array().expect("tickets").iter().filter_map(|t| t["code"].as_str()).collect();
    assert_eq!(held, [given["code"].as_str().expect("code")]);
    let left = h.get(&format!("/api/v1/orders/{order}/tickets"), Some(&seller)).await;
    assert_eq!(left.body.as_array().map(Vec::len), Some(1), "{}", left.body);

    let gate = h.gate_staff(&event).await;
    let old = h.scan(&gate, &qr(&tickets[0]), "Norte").await;
    assert_eq!((old.status, old.body["reason"].as_str()), (StatusCode::GONE, Some("transferred")));
    let new = h.scan(&gate, given["qr_payload"].as_str().expect("qr"), "Norte").await;
    assert_eq!(new.status, StatusCode::OK, "{}", new.body);
    // The gate sees the recipient as the holder (every test account is "Test User": by CPF).
    let friend_id = h.app.tokens.verify(&friend).expect("token").user_id;
    let friend_cpf = h.app.users.find_by_id(&friend_id).await.expect("find").expect("friend").cpf;
    let masked = bilheteria::domain::Holder { name: String::new(), cpf: friend_cpf }.cpf_masked();
    assert_eq!(new.body["holder"]["cpf_masked"].as_str(), masked.as_deref());

    let mailer = h.app.stores.mailer(h.app.clock.clone());
    let seller_email = email_of(&h, &seller).await;
    assert!(mailer
        .inbox(&seller_email)
        .await
        .expect("inbox")
        .iter()
        .any(|e| e.id.starts_with("ticket-transferred-out:")));
    assert!(mailer.inbox(&friend_email).await.expect("inbox").iter().any(|e| e.id.starts_with("ticket-received:")));
    assert_eq!(h.count("audit_log", mongodb::bson::doc! {"action": "ticket.transfer"}).await, 1);
    h.finish().await;
}

#[tokio::test]
async fn a_ticket_is_not_transferred_once_used_to_oneself_to_no_account_or_half_price_without_entitlement() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let (seller, friend) = (h.buyer().await, h.buyer().await);
    let friend_email = email_of(&h, &friend).await;
    let (_, full) = h.paid_tickets(&seller, &event, "full", 2).await;
    let (_, half) = h.paid_tickets(&seller, &event, "half", 1).await;

    let gate = h.gate_staff(&event).await;
    assert_eq!(h.scan(&gate, &qr(&full[0]), "Norte").await.status, StatusCode::OK);
    let used = transfer(&h, &seller, &code(&full[0]), json!({"email": friend_email})).await;
    assert_eq!((used.status, used.body["code"].as_str()), (StatusCode::CONFLICT, Some("already_used")));

    let own = transfer(&h, &seller, &code(&full[1]), json!({"email": email_of(&h, &seller).await})).await;
    assert_eq!((own.status, own.body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("self_transfer")));
    let nobody = transfer(&h, &seller, &code(&full[1]), json!({"email": "ninguem@example.com"})).await;
    assert_eq!(
        (nobody.status, nobody.body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("recipient_unknown"))
    );
    let mut no_cpf =
        User::new_buyer("Sem CPF".into(), "semcpf@example.com".into(), "x".into(), None, h.app.clock.now());
    no_cpf.email_verified_at = Some(h.app.clock.now());
    no_cpf.role = Role::Buyer;
    h.app.users.insert(&no_cpf).await.expect("insert");
    let r = transfer(&h, &seller, &code(&full[1]), json!({"email": "semcpf@example.com"})).await;
    assert_eq!(r.body["code"], "recipient_needs_cpf");

    let r = transfer(&h, &seller, &code(&half[0]), json!({"email": friend_email})).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("entitlement_required")));
    let r = transfer(&h, &seller, &code(&half[0]), json!({"email": friend_email, "entitlement": "senior"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["ticket"]["entitlement"], "senior");
    // Someone else's ticket is not found, whoever asks.
    let stranger = transfer(&h, &friend, &code(&full[1]), json!({"email": email_of(&h, &seller).await})).await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);
    // Nothing above moved the refused tickets.
    assert_eq!(h.scan(&gate, &qr(&full[1]), "Norte").await.status, StatusCode::OK);
    h.finish().await;
}

#[tokio::test]
async fn transfers_close_the_admins_window_before_the_start() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let starts = (chrono::Utc::now() + chrono::Duration::minutes(90)).to_rfc3339();
    let created = h
        .post(
            "/api/v1/admin/events",
            Some(&admin),
            json!({"name": "Logo Mais", "venue": "Arena", "starts_at": starts, "transfer_closes_minutes_before": 120,
                   "sectors": [{"name": "Pista", "price_cents": 5_000, "capacity": 5}]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["transfer_closes_minutes_before"], 120);
    let event = created.body["id"].as_str().expect("id").to_string();
    let (seller, friend) = (h.buyer().await, h.buyer().await);
    let (_, tickets) = h.paid_tickets(&seller, &event, "full", 1).await;
    let r = transfer(&h, &seller, &code(&tickets[0]), json!({"email": email_of(&h, &friend).await})).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::CONFLICT, Some("transfer_closed")));
    h.finish().await;
}

#[tokio::test]
async fn a_transfer_racing_an_entry_and_another_transfer_of_the_same_ticket_has_one_winner() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 40)]).await;
    let (seller, a, b) = (h.buyer().await, h.buyer().await, h.buyer().await);
    let (a_email, b_email) = (email_of(&h, &a).await, email_of(&h, &b).await);
    let gate = h.gate_staff(&event).await;
    for _ in 0..10 {
        let (_, tickets) = h.paid_tickets(&seller, &event, "full", 1).await;
        let (c, payload) = (code(&tickets[0]), qr(&tickets[0]));
        let (to_a, to_b, scan) = tokio::join!(
            transfer(&h, &seller, &c, json!({"email": a_email})),
            transfer(&h, &seller, &c, json!({"email": b_email})),
            h.scan(&gate, &payload, "Norte"),
        );
        let wins = [to_a.status, to_b.status, scan.status].iter().filter(|s| **s == StatusCode::OK).count();
        assert_eq!(wins, 1, "{} / {} / {}", to_a.body, to_b.body, scan.body);
        for loser in [&to_a, &to_b, &scan].into_iter().filter(|r| r.status != StatusCode::OK) {
            assert!([StatusCode::CONFLICT, StatusCode::GONE].contains(&loser.status), "{}", loser.body);
        }
    }
    h.finish().await;
}

#[tokio::test]
async fn a_buyer_who_gave_a_ticket_away_cannot_refund_the_order_and_both_tickets_still_enter() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let (seller, friend) = (h.buyer().await, h.buyer().await);
    let (order, tickets) = h.paid_tickets(&seller, &event, "full", 2).await;
    let given = transfer(&h, &seller, &code(&tickets[0]), json!({"email": email_of(&h, &friend).await})).await;
    assert_eq!(given.status, StatusCode::OK, "{}", given.body);
    let refund = h.post(&format!("/api/v1/orders/{order}/refund"), Some(&seller), json!({})).await;
    assert_eq!((refund.status, refund.body["code"].as_str()), (StatusCode::CONFLICT, Some("ticket_transferred")));
    assert_eq!(h.order(&seller, &order).await["status"], "paid");
    let gate = h.gate_staff(&event).await;
    assert_eq!(
        h.scan(&gate, given.body["ticket"]["qr_payload"].as_str().expect("qr"), "Norte").await.status,
        StatusCode::OK
    );
    assert_eq!(h.scan(&gate, &qr(&tickets[1]), "Norte").await.status, StatusCode::OK);
    h.finish().await;
}

#[tokio::test]
async fn a_refund_racing_the_events_cancellation_never_brings_a_cancelled_ticket_back() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let buyer = h.buyer().await;
    for round in 0..5 {
        let event = h.event(&[("Pista", 10_000, 10)]).await;
        let gate = h.gate_staff(&event).await;
        let (order, tickets) = h.paid_tickets(&buyer, &event, "full", 2).await;
        // One ticket entered: the buyer's refund revokes the other, finds the entry, and
        // makes it valid again — while the cancellation revokes it for good.
        assert_eq!(h.scan(&gate, &qr(&tickets[0]), "Norte").await.status, StatusCode::OK);
        let (refund_path, cancel_path) =
            (format!("/api/v1/orders/{order}/refund"), format!("/api/v1/admin/events/{event}/cancel"));
        let (refund, cancel) =
            tokio::join!(h.post(&refund_path, Some(&buyer), json!({})), h.post(&cancel_path, Some(&admin), json!({})),);
        assert!(cancel.status.is_success(), "round {round}: {}", cancel.body);
        assert!([StatusCode::CONFLICT, StatusCode::OK].contains(&refund.status), "round {round}: {}", refund.body);
        let scan = h.scan(&gate, &qr(&tickets[1]), "Norte").await;
        assert_eq!(scan.status, StatusCode::GONE, "round {round}: {}", scan.body);
    }
    h.finish().await;
}
