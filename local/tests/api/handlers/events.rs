//! The `events` handler (the public catalogue) in-process, driven by real API Gateway HTTP
//! API v2 events against a real `App`.

use bilheteria_testkit::harness;
use bilheteria_testkit::lambda::{apigw_v2, body_text, content_type, create_event, json_of};
use events_fn::handle;
use http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_catalogue_lists_and_shows_an_event() {
    let config = harness::fresh_config("fn_events");
    let app = harness::app_for(config.clone()).await.expect("the local database is reachable");
    let id = create_event(&app, 50).await;

    // The shipped fixture: exactly what API Gateway sends for GET /api/v1/events.
    let fixture = include_str!("../../../../fixtures/apigw-v2/list-events.json");
    let req = lambda_http::request::from_str(fixture).expect("the fixture is a valid v2 event");
    let res = handle(&app, req).await.expect("handler");
    assert_eq!(res.status(), StatusCode::OK, "{}", body_text(&res));
    assert!(content_type(&res).starts_with("application/json"));
    let list = json_of(&res);
    let listed = list.as_array().expect("an array");
    assert!(listed.iter().any(|e| e["id"] == json!(id)), "{list}");

    let path = format!("/api/v1/events/{id}");
    let res = handle(&app, apigw_v2("GET", "/api/v1/events/{id}", &path, None, None)).await.expect("handler");
    assert_eq!(res.status(), StatusCode::OK, "{}", body_text(&res));
    let event = json_of(&res);
    assert_eq!(event["status"], json!("active"));
    assert_eq!(event["sectors"][0]["name"], json!("Pista"));
    assert_eq!(event["sectors"][0]["available"], json!(50));

    harness::cleanup(&config).await;
}

#[tokio::test]
async fn an_unknown_or_malformed_id_is_404() {
    let config = harness::fresh_config("fn_events");
    let app = harness::app_for(config.clone()).await.expect("the local database is reachable");
    for id in ["0123456789abcdef01234567", "not-an-id"] {
        let path = format!("/api/v1/events/{id}");
        let res = handle(&app, apigw_v2("GET", "/api/v1/events/{id}", &path, None, None)).await.expect("handler");
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{id}: {}", body_text(&res));
        assert!(content_type(&res).starts_with("application/problem+json"));
    }
    let res = handle(&app, apigw_v2("POST", "/api/v1/events", "/api/v1/events", None, Some(&json!({}))))
        .await
        .expect("handler");
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    harness::cleanup(&config).await;
}
