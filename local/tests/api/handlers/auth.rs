//! The `auth` handler in-process, driven by real API Gateway HTTP API v2 events against a
//! real `App` (a fresh database of its own on the local MongoDB-compatible server).

use auth_fn::handle;
use bilheteria_testkit::harness;
use bilheteria_testkit::lambda::{apigw_v2, body_text, content_type, json_of};
use http::StatusCode;
use lambda_http::Body;
use serde_json::json;

#[tokio::test]
async fn register_login_and_me_through_api_gateway_events() {
    let config = harness::fresh_config("fn_auth");
    let app = harness::app_for(config.clone()).await.expect("the local database is reachable");
    let email = format!("ana.{}@example.com", harness::unique_name("u"));

    let registration = json!({"name": "Ana Souza", "email": email, "password": "correct horse battery"});
    let res =
        handle(&app, apigw_v2("POST", "/api/v1/auth/register", "/api/v1/auth/register", None, Some(&registration)))
            .await
            .expect("handler");
    assert_eq!(res.status(), StatusCode::CREATED, "{}", body_text(&res));
    let user = json_of(&res);
    assert_eq!(user["email"], json!(email));
    assert_eq!(user["role"], json!("buyer"), "registering always makes a buyer");
    assert!(user.get("password_hash").is_none(), "the hash never leaves the server");

    // The same e-mail again: 409 as a problem document.
    let res =
        handle(&app, apigw_v2("POST", "/api/v1/auth/register", "/api/v1/auth/register", None, Some(&registration)))
            .await
            .expect("handler");
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(content_type(&res).starts_with("application/problem+json"), "{}", content_type(&res));

    let login = json!({"email": email, "password": "correct horse battery"});
    let res = handle(&app, apigw_v2("POST", "/api/v1/auth/login", "/api/v1/auth/login", None, Some(&login)))
        .await
        .expect("handler");
    assert_eq!(res.status(), StatusCode::OK, "{}", body_text(&res));
    let tokens = json_of(&res);
    assert_eq!(tokens["token_type"], json!("Bearer"));
    let token = tokens["access_token"].as_str().expect("an access token").to_string();

    let res = handle(&app, apigw_v2("GET", "/api/v1/me", "/api/v1/me", Some(&token), None)).await.expect("handler");
    assert_eq!(res.status(), StatusCode::OK, "{}", body_text(&res));
    assert_eq!(json_of(&res)["id"], user["id"]);

    let wrong = json!({"email": email, "password": "not the password"});
    let res = handle(&app, apigw_v2("POST", "/api/v1/auth/login", "/api/v1/auth/login", None, Some(&wrong)))
        .await
        .expect("handler");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    harness::cleanup(&config).await;
}

#[tokio::test]
async fn me_without_a_token_is_401_and_a_foreign_method_405() {
    let config = harness::fresh_config("fn_auth");
    let app = harness::app_for(config.clone()).await.expect("the local database is reachable");

    let res = handle(&app, apigw_v2("GET", "/api/v1/me", "/api/v1/me", None, None)).await.expect("handler");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let problem = json_of(&res);
    assert_eq!(problem["status"], json!(401));

    let res = handle(&app, apigw_v2("DELETE", "/api/v1/me", "/api/v1/me", None, None)).await.expect("handler");
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);

    // A body that is not JSON is a 400, never a 500.
    let mut req = apigw_v2("POST", "/api/v1/auth/login", "/api/v1/auth/login", None, Some(&json!({})));
    *req.body_mut() = Body::Text("{not json".into());
    let res = handle(&app, req).await.expect("handler");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{}", body_text(&res));

    harness::cleanup(&config).await;
}
