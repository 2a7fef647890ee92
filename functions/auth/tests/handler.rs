//! The `auth` handler in-process, driven by real API Gateway HTTP API v2 events against a
//! real `App` (a fresh database of its own on the local MongoDB-compatible server).

use auth_fn::handle;
use bilheteria::testing;
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::{json, Value};

/// A real API Gateway HTTP API (payload format 2.0) event, as SAM's `HttpApi` trigger sends
/// it, parsed by `lambda_http` exactly as in Lambda.
fn apigw_v2(method: &str, route: &str, raw_path: &str, token: Option<&str>, body: Option<&Value>) -> Request {
    let mut headers = json!({
        "accept": "application/json",
        "host": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
        "user-agent": "handler-test/1.0",
        "x-amzn-trace-id": "Root=1-6749ad00-0a1b2c3d4e5f60718293a4b5",
        "x-forwarded-for": "203.0.113.10",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    });
    if let Some(token) = token {
        headers["authorization"] = json!(format!("Bearer {token}"));
    }
    let body_text = body.map(Value::to_string);
    if let Some(text) = &body_text {
        headers["content-type"] = json!("application/json");
        headers["content-length"] = json!(text.len().to_string());
    }
    // Path parameters as API Gateway fills them from the route template.
    let mut path_parameters = serde_json::Map::new();
    for (want, got) in route.split('/').zip(raw_path.split('/')) {
        if let Some(name) = want.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
            path_parameters.insert(name.to_string(), json!(got));
        }
    }
    let route_key = format!("{method} {route}");
    let event = json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": "",
        "headers": headers,
        "pathParameters": path_parameters,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "a1b2c3d4e5",
            "domainName": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "a1b2c3d4e5",
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.10",
                "userAgent": "handler-test/1.0"
            },
            "requestId": "Cq3TxjQWIAMEVHA=",
            "routeKey": route_key,
            "stage": "$default",
            "time": "29/Nov/2026:12:00:00 +0000",
            "timeEpoch": 1795953600000u64
        },
        "body": body_text,
        "isBase64Encoded": false
    });
    lambda_http::request::from_str(&event.to_string()).expect("a valid API Gateway v2 event")
}

fn body_text(response: &Response<Body>) -> String {
    match response.body() {
        Body::Empty => String::new(),
        Body::Text(t) => t.clone(),
        Body::Binary(b) => String::from_utf8_lossy(b).into_owned(),
        _ => String::new(),
    }
}

fn json_of(response: &Response<Body>) -> Value {
    serde_json::from_str(&body_text(response)).unwrap_or_else(|e| panic!("not JSON ({e}): {}", body_text(response)))
}

fn content_type(response: &Response<Body>) -> &str {
    response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn register_login_and_me_through_api_gateway_events() {
    let config = testing::fresh_config("fn_auth");
    let app = testing::app_for(config.clone()).await.expect("the local database is reachable");
    let email = format!("ana.{}@example.com", testing::unique_name("u"));

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

    testing::cleanup(&config).await;
}

#[tokio::test]
async fn me_without_a_token_is_401_and_a_foreign_method_405() {
    let config = testing::fresh_config("fn_auth");
    let app = testing::app_for(config.clone()).await.expect("the local database is reachable");

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

    testing::cleanup(&config).await;
}
