//! The audit log endpoint: admins see who did what, when; nobody else sees it.

use crate::helpers::Harness;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn an_admin_sees_every_admin_action_newest_first_and_a_buyer_is_refused() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    h.set_status(&event, "paused").await;
    let admin = h.admin().await;
    let log = h.get("/api/v1/admin/audit", Some(&admin)).await;
    assert_eq!(log.status, StatusCode::OK);
    let actions: Vec<&str> =
        log.body.as_array().expect("entries").iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, vec!["event.pause", "event.create"]);
    assert_eq!(log.body[0]["target"], event.as_str());
    assert_eq!(log.body[0]["before"]["status"], "active");
    assert_eq!(log.body[0]["after"]["status"], "paused");

    let buyer = h.buyer().await;
    assert_eq!(h.get("/api/v1/admin/audit", Some(&buyer)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(h.get("/api/v1/admin/audit", None).await.status, StatusCode::UNAUTHORIZED);
    let r = h.call(Method::POST, "/api/v1/admin/audit", Some(&admin), Some(json!({}))).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "the log is read-only");
    h.finish().await;
}
