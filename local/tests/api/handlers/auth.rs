//! The `auth` handler in-process, driven by real API Gateway HTTP API v2 events against a
//! real `App` (a fresh database of its own on the local MongoDB-compatible server).

use auth_fn::handle;
use bilheteria_testkit::harness;
use bilheteria_testkit::lambda::{apigw_v2, apigw_v2_with, body_text, content_type, json_of};
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

    let res = handle(&app, apigw_v2("PATCH", "/api/v1/me", "/api/v1/me", None, None)).await.expect("handler");
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);

    // A body that is not JSON is a 400, never a 500.
    let mut req = apigw_v2("POST", "/api/v1/auth/login", "/api/v1/auth/login", None, Some(&json!({})));
    *req.body_mut() = Body::Text("{not json".into());
    let res = handle(&app, req).await.expect("handler");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{}", body_text(&res));

    harness::cleanup(&config).await;
}

/// The refresh token's cookie as a `Set-Cookie` of this response sets it.
fn refresh_cookie(res: &lambda_http::Response<Body>) -> String {
    let set = res.headers().get("set-cookie").and_then(|v| v.to_str().ok()).expect("a Set-Cookie");
    set.split(';').next().expect("name=value").to_string()
}

#[tokio::test]
async fn a_refresh_reads_its_cookie_from_the_events_cookies_and_sets_the_next_one() {
    let config = harness::fresh_config("fn_auth");
    let app = harness::app_for(config.clone()).await.expect("the local database is reachable");
    let email = format!("ana.{}@example.com", harness::unique_name("u"));
    let registration = json!({"name": "Ana Souza", "email": email, "password": "correct horse battery"});
    handle(&app, apigw_v2("POST", "/api/v1/auth/register", "/api/v1/auth/register", None, Some(&registration)))
        .await
        .expect("handler");
    let login = json!({"email": email, "password": "correct horse battery"});
    let res = handle(&app, apigw_v2("POST", "/api/v1/auth/login", "/api/v1/auth/login", None, Some(&login)))
        .await
        .expect("handler");
    let first = refresh_cookie(&res);
    assert!(first.starts_with("bilheteria_refresh="), "{first}");

    let refresh = |cookie: String| {
        let app = &app;
        async move {
            let req = apigw_v2_with(
                "POST",
                "/api/v1/auth/refresh",
                "/api/v1/auth/refresh",
                None,
                None,
                &[("cookie", &cookie)],
            );
            handle(app, req).await.expect("handler")
        }
    };
    let res = refresh(format!("theme=dark; {first}")).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", body_text(&res));
    let second = refresh_cookie(&res);
    assert_ne!(second, first, "rotated");
    assert!(json_of(&res)["access_token"].is_string());
    let replayed = refresh(first).await;
    assert_eq!(replayed.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json_of(&replayed)["code"], json!("session_ended"));
    assert_eq!(refresh(second).await.status(), StatusCode::UNAUTHORIZED, "the whole session ended");
    harness::cleanup(&config).await;
}

#[tokio::test]
async fn failed_logins_are_counted_per_source_ip_of_the_event() {
    let config = harness::fresh_config("fn_auth");
    let app = harness::app_for(config.clone()).await.expect("the local database is reachable");
    for i in 0..30 {
        let wrong = json!({"email": format!("nobody{i}@example.com"), "password": "not the password"});
        let res = handle(&app, apigw_v2("POST", "/api/v1/auth/login", "/api/v1/auth/login", None, Some(&wrong)))
            .await
            .expect("handler");
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    // The events' source IP (203.0.113.10) has failed 30 times: it waits.
    let next = json!({"email": "someone@example.com", "password": "whatever"});
    let res = handle(&app, apigw_v2("POST", "/api/v1/auth/login", "/api/v1/auth/login", None, Some(&next)))
        .await
        .expect("handler");
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "{}", body_text(&res));
    assert_eq!(res.headers()["retry-after"], "30");
    harness::cleanup(&config).await;
}
