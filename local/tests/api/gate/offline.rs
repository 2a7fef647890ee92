//! Offline scanners: the manifest they keep, and their scans synced afterwards — first scan
//! in wins, a retried sync changes nothing, a second entry is a conflict the admins see.

use super::{code, qr};
use crate::helpers::Harness;
use chrono::{Duration, SecondsFormat, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

fn states(manifest: &Value) -> BTreeMap<String, (String, Option<String>)> {
    manifest["tickets"]
        .as_array()
        .expect("tickets")
        .iter()
        .map(|t| {
            let reason = t["reason"].as_str().map(str::to_string);
            (t["id"].as_str().expect("id").to_string(), (t["state"].as_str().expect("state").to_string(), reason))
        })
        .collect()
}

#[tokio::test]
async fn the_manifest_lists_every_ticket_then_only_what_changed_with_refunds_and_transfers_revoked() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 20)]).await;
    let buyer = h.buyer().await;
    let (refunded, refunded_tickets) = h.paid_tickets(&buyer, &event, "full", 1).await;
    let (_, tickets) = h.paid_tickets(&buyer, &event, "full", 3).await;
    let gate = h.gate_staff(&event).await;

    let whole = h.get(&format!("/api/v1/gate/events/{event}/manifest"), Some(&gate)).await;
    assert_eq!(whole.status, StatusCode::OK, "{}", whole.body);
    assert_eq!(whole.body["keys"].as_array().map(Vec::len), Some(1));
    let all = states(&whole.body);
    assert_eq!(all.len(), 4);
    assert!(all.values().all(|(state, _)| state == "valid"), "{all:?}");
    let cursor = whole.body["cursor"].as_str().expect("cursor").to_string();
    // Past the cursor's overlap (a few seconds re-sent for writes still landing), so that
    // what did not change drops out of the incremental reads below.
    tokio::time::sleep(std::time::Duration::from_millis(5_500)).await;

    assert_eq!(h.scan(&gate, &qr(&tickets[0]), "Norte").await.status, StatusCode::OK);
    let r = h.post(&format!("/api/v1/orders/{refunded}/refund"), Some(&buyer), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let friend = h.buyer().await;
    let friend_email =
        h.app.users.find_by_id(&h.app.tokens.verify(&friend).expect("token").user_id).await.expect("find");
    let transfer = h
        .post(
            &format!("/api/v1/tickets/{}/transfer", code(&tickets[1])),
            Some(&buyer),
            json!({"email": friend_email.expect("friend").email}),
        )
        .await;
    assert_eq!(transfer.status, StatusCode::OK, "{}", transfer.body);
    let new_code = transfer.body["ticket"]["code"].as_str().expect("new code").to_string();

    let since = h.get(&format!("/api/v1/gate/events/{event}/manifest?since={cursor}"), Some(&gate)).await;
    assert_eq!(since.status, StatusCode::OK, "{}", since.body);
    let changed = states(&since.body);
    assert_eq!(changed.get(&code(&tickets[0])).map(|s| s.0.as_str()), Some("used"));
    assert_eq!(changed.get(&code(&refunded_tickets[0])), Some(&("revoked".into(), Some("refunded".into()))));
    assert_eq!(changed.get(&code(&tickets[1])), Some(&("revoked".into(), Some("transferred".into()))));
    assert_eq!(changed.get(&new_code).map(|s| s.0.as_str()), Some("valid"));
    let next = since.body["cursor"].as_str().expect("cursor");
    let after = states(&h.get(&format!("/api/v1/gate/events/{event}/manifest?since={next}"), Some(&gate)).await.body);
    assert!(!after.contains_key(&code(&tickets[2])), "an unchanged ticket is not sent again: {after:?}");
    assert_eq!(
        after.get(&new_code).map(|s| s.0.as_str()),
        Some("valid"),
        "the last changes are re-sent within the overlap"
    );
    let garbled = h.get(&format!("/api/v1/gate/events/{event}/manifest?since=%%%"), Some(&gate)).await;
    assert_eq!(garbled.status, StatusCode::BAD_REQUEST);
    h.finish().await;
}

#[tokio::test]
async fn ten_offline_scanners_with_planted_duplicates_reconcile_into_exactly_the_planted_conflicts() {
    let h = Harness::start().await;
    for round in 0..2 {
        let event = h.event(&[("Pista", 1_000, 80)]).await;
        let buyer = h.buyer().await;
        let (mut codes, mut qrs) = (Vec::new(), Vec::new());
        for _ in 0..10 {
            let (_, tickets) = h.paid_tickets(&buyer, &event, "full", 6).await;
            codes.extend(tickets.iter().map(code));
            qrs.extend(tickets.iter().map(qr));
        }
        let gate = h.gate_staff(&event).await;
        let start = Utc::now() - Duration::minutes(30);
        let at = |minute: i64| (start + Duration::seconds(minute)).to_rfc3339_opts(SecondsFormat::Millis, true);
        // Each ticket scanned at one gate; every seventh also at the next gate, later.
        let mut batches: Vec<Vec<Value>> = vec![Vec::new(); 10];
        let mut planted = BTreeSet::new();
        for (i, c) in codes.iter().enumerate() {
            batches[i % 10].push(json!({"qr": qrs[i], "scanned_at": at(i as i64)}));
            if i % 7 == round {
                batches[(i + 1) % 10].push(json!({"qr": qrs[i], "scanned_at": at(i as i64 + 90)}));
                planted.insert(c.clone());
            }
        }
        let sync = |g: usize| {
            let (h, gate, event, scans) = (&h, &gate, &event, batches[g].clone());
            async move {
                let body = json!({"gate": format!("Portão {g}"), "scans": scans});
                let r = h.post(&format!("/api/v1/gate/events/{event}/scans"), Some(gate), body).await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.body);
                r.body
            }
        };
        let first: Vec<Value> = futures::future::join_all((0..10).map(sync)).await;
        let conflicts: u64 = first.iter().map(|r| r["conflicts"].as_u64().expect("conflicts")).sum();
        assert_eq!(conflicts as usize, planted.len());
        // Every scanner retries its whole sync (a lost answer): nothing new.
        let again: Vec<Value> = futures::future::join_all((0..10).map(sync)).await;
        for report in &again {
            for result in report["results"].as_array().expect("results") {
                let outcome = result["outcome"].as_str().expect("outcome");
                assert!(outcome == "duplicate" || outcome == "conflict", "{result}");
            }
        }
        let admin = h.admin().await;
        let report = h.get(&format!("/api/v1/admin/events/{event}/gate"), Some(&admin)).await;
        assert_eq!(report.status, StatusCode::OK, "{}", report.body);
        assert_eq!(report.body["checked_in"], codes.len());
        assert_eq!(report.body["no_shows"], 0);
        let found: BTreeSet<String> = report.body["conflicts"]
            .as_array()
            .expect("conflicts")
            .iter()
            .map(|c| {
                assert_ne!(c["first"]["gate"], c["second"]["gate"], "{c}");
                c["ticket_id"].as_str().expect("ticket").to_string()
            })
            .collect();
        assert_eq!(found, planted, "round {round}");
        assert_eq!(report.body["conflicts"].as_array().map(Vec::len), Some(planted.len()));
        let per_gate: u64 = report.body["per_gate"]
            .as_array()
            .expect("per gate")
            .iter()
            .map(|g| g["count"].as_u64().unwrap_or(0))
            .sum();
        assert_eq!(per_gate as usize, codes.len());
    }
    h.finish().await;
}

#[tokio::test]
async fn a_synced_scan_of_a_revoked_foreign_forged_or_future_ticket_is_reported_not_admitted() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 1_000, 10)]).await;
    let other = h.event(&[("Pista", 1_000, 10)]).await;
    let buyer = h.buyer().await;
    let (refunded, tickets) = h.paid_tickets(&buyer, &event, "full", 1).await;
    let (_, foreign) = h.paid_tickets(&buyer, &other, "full", 1).await;
    let r = h.post(&format!("/api/v1/orders/{refunded}/refund"), Some(&buyer), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let gate = h.gate_staff(&event).await;
    let (_, fresh) = h.paid_tickets(&buyer, &event, "full", 1).await;
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
    let ahead = (Utc::now() + Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Millis, true);
    let mut forged = qr(&fresh[0]);
    forged.pop();
    let body = json!({"gate": "Norte", "scans": [
        {"qr": qr(&tickets[0]), "scanned_at": now},
        {"qr": qr(&foreign[0]), "scanned_at": now},
        {"qr": forged, "scanned_at": now},
        {"qr": qr(&fresh[0]), "scanned_at": ahead},
        {"qr": qr(&fresh[0]), "scanned_at": now},
    ]});
    let r = h.post(&format!("/api/v1/gate/events/{event}/scans"), Some(&gate), body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let outcomes: Vec<&str> =
        r.body["results"].as_array().expect("results").iter().filter_map(|x| x["outcome"].as_str()).collect();
    // A clock an hour ahead spoils only its own scan: the same ticket scanned "now" enters.
    assert_eq!(outcomes, ["revoked", "unknown", "invalid", "invalid", "checked_in"]);
    // The foreign ticket was not checked in through this event's sync.
    let theirs = h.gate_staff(&other).await;
    assert_eq!(h.scan(&theirs, &qr(&foreign[0]), "Norte").await.status, StatusCode::OK);
    h.finish().await;
}
