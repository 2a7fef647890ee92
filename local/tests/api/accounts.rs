//! Registering, logging in, and the token rules, through the local router.

use crate::helpers::Harness;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_buyer_registers_logs_in_and_sees_themself() {
    let h = Harness::start().await;
    let reg = h
        .post(
            "/api/v1/auth/register",
            None,
            json!({"name": "Ana", "email": "Ana@Example.com", "password": "Girassol-Vitrola-42"}),
        )
        .await;
    assert_eq!(reg.status, StatusCode::CREATED, "{}", reg.body);
    assert_eq!(reg.body["role"], "buyer");
    assert_eq!(reg.body["email"], "ana@example.com");
    assert!(reg.body.get("password_hash").is_none());

    let login = h
        .post("/api/v1/auth/login", None, json!({"email": "ana@example.com", "password": "Girassol-Vitrola-42"}))
        .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    assert_eq!(login.body["token_type"], "Bearer");
    assert_eq!(login.body["expires_in"], 900, "access tokens live 15 minutes");
    assert_eq!(login.body["user"]["email"], "ana@example.com");
    let token = login.body["access_token"].as_str().expect("token");

    let me = h.get("/api/v1/me", Some(token)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["id"], reg.body["id"]);
    h.finish().await;
}

#[tokio::test]
async fn registering_cannot_make_an_admin() {
    let h = Harness::start().await;
    let reg = h
        .post(
            "/api/v1/auth/register",
            None,
            json!({"name": "Eve", "email": "eve@example.com", "password": "Girassol-Vitrola-42", "role": "admin"}),
        )
        .await;
    assert_eq!(reg.status, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused: {}", reg.body);
    h.finish().await;
}

#[tokio::test]
async fn a_taken_email_is_409_and_bad_input_is_422_and_changes_nothing() {
    let h = Harness::start().await;
    let body = json!({"name": "Ana", "email": "ana@example.com", "password": "Girassol-Vitrola-42"});
    assert_eq!(h.post("/api/v1/auth/register", None, body.clone()).await.status, StatusCode::CREATED);
    let again = h.post("/api/v1/auth/register", None, body).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.headers["content-type"], "application/problem+json");
    assert_eq!(again.body["status"], 409);

    for bad in [
        json!({"name": "Bia", "email": "not-an-email", "password": "Girassol-Vitrola-42"}),
        json!({"name": "Bia", "email": "bia@example.com", "password": "short"}),
        json!({"name": "", "email": "bia@example.com", "password": "Girassol-Vitrola-42"}),
        json!({"name": "Bia", "email": "bia@example.com"}),
    ] {
        let r = h.post("/api/v1/auth/register", None, bad.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad} → {}", r.body);
    }
    let login = h
        .post("/api/v1/auth/login", None, json!({"email": "bia@example.com", "password": "Girassol-Vitrola-42"}))
        .await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED, "no account was created by bad input");
    h.finish().await;
}

#[tokio::test]
async fn a_body_that_is_not_json_is_400() {
    let h = Harness::start().await;
    let r = h.http.post(format!("{}/api/v1/auth/register", h.base)).body("{not json").send().await.expect("send");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    h.finish().await;
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_are_the_same_401() {
    let h = Harness::start().await;
    h.post(
        "/api/v1/auth/register",
        None,
        json!({"name": "Ana", "email": "ana@example.com", "password": "Girassol-Vitrola-42"}),
    )
    .await;
    let wrong =
        h.post("/api/v1/auth/login", None, json!({"email": "ana@example.com", "password": "Girassol-Errado-41"})).await;
    let unknown = h
        .post("/api/v1/auth/login", None, json!({"email": "zoe@example.com", "password": "Girassol-Vitrola-42"}))
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body["detail"], unknown.body["detail"]);
    h.finish().await;
}

#[tokio::test]
async fn missing_malformed_tampered_alg_none_and_foreign_tokens_are_401() {
    let h = Harness::start().await;
    let good = h.buyer().await;
    assert_eq!(h.get("/api/v1/me", Some(&good)).await.status, StatusCode::OK);

    assert_eq!(h.get("/api/v1/me", None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(h.get("/api/v1/me", Some("garbage")).await.status, StatusCode::UNAUTHORIZED);

    let parts: Vec<&str> = good.split('.').collect();
    let claims = String::from_utf8(URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("utf8");
    let promoted = URL_SAFE_NO_PAD.encode(claims.replace("\"buyer\"", "\"admin\""));
    let tampered = format!("{}.{}.{}", parts[0], promoted, parts[2]);
    assert_eq!(h.get("/api/v1/me", Some(&tampered)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(h.get("/api/v1/admin/events", Some(&tampered)).await.status, StatusCode::UNAUTHORIZED);

    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let alg_none = format!("{none_header}.{promoted}.");
    assert_eq!(h.get("/api/v1/me", Some(&alg_none)).await.status, StatusCode::UNAUTHORIZED);

    let mut other = h.config.clone();
    other.jwt_secret = "another-secret-another-secret-another!!".into();
    let foreign = bilheteria::auth::TokenService::new(&other)
        .expect("keys")
        .issue(
            bilheteria::auth::Subject {
                user_id: &bilheteria::domain::UserId::generate(),
                role: bilheteria::domain::Role::Admin,
                cpf: None,
            },
            chrono::Utc::now(),
        )
        .expect("issue");
    let r = h.get("/api/v1/me", Some(&foreign.access_token)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers["www-authenticate"], "Bearer");

    let expired = bilheteria::auth::TokenService::new(&h.config)
        .expect("keys")
        .issue(
            bilheteria::auth::Subject {
                user_id: &bilheteria::domain::UserId::generate(),
                role: bilheteria::domain::Role::Buyer,
                cpf: None,
            },
            chrono::Utc::now() - chrono::Duration::hours(3),
        )
        .expect("issue");
    assert_eq!(h.get("/api/v1/me", Some(&expired.access_token)).await.status, StatusCode::UNAUTHORIZED);
    h.finish().await;
}
