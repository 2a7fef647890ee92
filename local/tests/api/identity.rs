//! Who a buyer is: one account per CPF (validated, normalised), required before the first
//! purchase and counted by per-buyer limits; an e-mail verified by a signed link before
//! paying; and input that cannot smuggle control characters, bidi overrides or a foreign
//! image address.

use crate::helpers::accounts::STRONG_PASSWORD;
use crate::helpers::Harness;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn a_cpf_is_accepted_formatted_or_not_and_a_second_account_with_it_is_409() {
    let h = Harness::start().await;
    let formatted = h.register("ana@example.com", Some("529.982.247-25")).await;
    assert_eq!(formatted.status, StatusCode::CREATED, "{}", formatted.body);
    assert_eq!(formatted.body["cpf"], "529.982.247-25");
    let unformatted = h.register("bia@example.com", Some("11144477735")).await;
    assert_eq!(unformatted.body["cpf"], "111.444.777-35", "stored as digits, shown formatted");

    for same in ["52998224725", " 529.982.247-25 ", "529982247-25"] {
        let again = h.register("eve@example.com", Some(same)).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{same}: {}", again.body);
        assert_eq!(again.body["code"], "cpf_taken");
    }
    for bad in ["529.982.247-24", "111.111.111-11", "5299822472", "52998224725x"] {
        let r = h.register("eve@example.com", Some(bad)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", r.body);
        assert_eq!(r.body["code"], "invalid_cpf");
    }
    assert_eq!(h.count("users", mongodb::bson::doc! {"email": "eve@example.com"}).await, 0, "nothing stored");
    h.finish().await;
}

#[tokio::test]
async fn a_buyer_without_a_cpf_cannot_reserve_until_the_account_names_one() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    h.register("ana@example.com", None).await;
    let ana = h.login("ana@example.com").await;
    let refused = h.reserve(&ana.access, &event, "Pista", "full", 1).await;
    assert_eq!((refused.status, refused.body["code"].as_str()), (StatusCode::FORBIDDEN, Some("cpf_required")));
    assert_eq!(h.available(&event, "Pista").await, 10, "nothing taken");

    let bad = h.call(Method::PUT, "/api/v1/me/cpf", Some(&ana.access), Some(json!({"cpf": "123"}))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let set = h.call(Method::PUT, "/api/v1/me/cpf", Some(&ana.access), Some(json!({"cpf": "529.982.247-25"}))).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let token = set.body["access_token"].as_str().expect("a token that carries the CPF");
    assert_eq!(h.reserve(token, &event, "Pista", "full", 1).await.status, StatusCode::CREATED);
    let again = h.call(Method::PUT, "/api/v1/me/cpf", Some(token), Some(json!({"cpf": "52998224725"}))).await;
    assert_eq!(again.status, StatusCode::OK, "the same CPF again is fine");
    let other = h.call(Method::PUT, "/api/v1/me/cpf", Some(token), Some(json!({"cpf": "111.444.777-35"}))).await;
    assert_eq!((other.status, other.body["code"].as_str()), (StatusCode::CONFLICT, Some("cpf_already_set")));
    h.finish().await;
}

#[tokio::test]
async fn paying_needs_the_email_verified_by_the_link_it_was_sent() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let ana = h.account("ana@example.com", "529.982.247-25").await;
    assert_eq!(ana.user["email_verified"], false);
    let order = h.reserve(&ana.access, &event, "Pista", "full", 1).await;
    let id = order.body["id"].as_str().expect("an order").to_string();
    let pay = h.post(&format!("/api/v1/orders/{id}/pay"), Some(&ana.access), json!({"method": "pix"})).await;
    assert_eq!((pay.status, pay.body["code"].as_str()), (StatusCode::FORBIDDEN, Some("email_unverified")));

    let token = h.verification_token("ana@example.com").await;
    let forged = format!("{}x", &token[..token.len() - 1]);
    let bad = h.post("/api/v1/auth/verify-email", None, json!({"token": forged})).await;
    assert_eq!((bad.status, bad.body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("bad_link")));
    let verified = h.post("/api/v1/auth/verify-email", None, json!({"token": token})).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    assert_eq!(verified.body["email_verified"], true);
    assert_eq!(h.post("/api/v1/auth/verify-email", None, json!({"token": token})).await.status, StatusCode::OK);

    let pay = h.post(&format!("/api/v1/orders/{id}/pay"), Some(&ana.access), json!({"method": "pix"})).await;
    assert_eq!(pay.status, StatusCode::ACCEPTED, "{}", pay.body);
    let resend = h.post("/api/v1/me/verification", Some(&ana.access), json!({})).await;
    assert_eq!(resend.body["code"], "already_verified");
    h.finish().await;
}

#[tokio::test]
async fn a_verification_link_expires_after_two_days_and_a_new_one_can_be_asked_for() {
    let h = Harness::start().await;
    let ana = h.account("ana@example.com", "529.982.247-25").await;
    let old = h.verification_token("ana@example.com").await;
    h.clock.advance(chrono::Duration::hours(49));
    let late = h.post("/api/v1/auth/verify-email", None, json!({"token": old})).await;
    assert_eq!(late.body["code"], "link_expired", "{}", late.body);
    let ana_now = h.login("ana@example.com").await;
    assert_eq!(h.post("/api/v1/me/verification", Some(&ana_now.access), json!({})).await.status, StatusCode::ACCEPTED);
    let fresh = h.verification_token("ana@example.com").await;
    assert_ne!(fresh, old);
    assert_eq!(h.post("/api/v1/auth/verify-email", None, json!({"token": fresh})).await.status, StatusCode::OK);
    drop(ana);
    h.finish().await;
}

#[tokio::test]
async fn a_per_buyer_limit_counts_the_person_across_a_deleted_account_and_a_new_one() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let body = json!({"name": "Limitado", "venue": "Arena", "starts_at": "2030-01-01T20:00:00Z", "max_per_buyer": 4,
                      "sectors": [{"name": "Pista", "price_cents": 10_000, "capacity": 50}]});
    let event = h.post("/api/v1/admin/events", Some(&admin), body).await.body["id"].as_str().expect("id").to_string();
    let first = h.account("ana@example.com", "529.982.247-25").await;
    assert_eq!(h.reserve(&first.access, &event, "Pista", "full", 4).await.status, StatusCode::CREATED);
    let deleted =
        h.call(Method::DELETE, "/api/v1/me", Some(&first.access), Some(json!({"password": STRONG_PASSWORD}))).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);

    let second = h.account("ana.nova@example.com", "52998224725").await;
    let more = h.reserve(&second.access, &event, "Pista", "full", 1).await;
    assert_eq!((more.status, more.body["code"].as_str()), (StatusCode::CONFLICT, Some("buyer_limit")), "{}", more.body);
    let someone_else = h.account("bia@example.com", "111.444.777-35").await;
    assert_eq!(h.reserve(&someone_else.access, &event, "Pista", "full", 4).await.status, StatusCode::CREATED);
    h.finish().await;
}

#[tokio::test]
async fn weak_passwords_control_characters_and_foreign_image_urls_are_refused_and_change_nothing() {
    let h = Harness::start().await;
    for weak in ["12345678", "password", "        ", "ana@example.com"] {
        let r = h
            .post("/api/v1/auth/register", None, json!({"name": "Ana", "email": "ana@example.com", "password": weak}))
            .await;
        assert_eq!(
            (r.status, r.body["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("weak_password")),
            "{weak:?}"
        );
    }
    for name in ["Ana\u{0}", "Ana\r\nBcc: x@example.com", "Ana\u{202E}gpj.exe", "\u{2066}Ana"] {
        let r = h
            .post(
                "/api/v1/auth/register",
                None,
                json!({"name": name, "email": "ana@example.com", "password": STRONG_PASSWORD}),
            )
            .await;
        assert_eq!(
            (r.status, r.body["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_text")),
            "{name:?}"
        );
    }
    assert_eq!(h.count("users", mongodb::bson::doc! {}).await, 0, "no account was stored");

    let admin = h.admin().await;
    let event = |name: &str, image: &str| {
        json!({"name": name, "venue": "Arena", "starts_at": "2030-01-01T20:00:00Z", "image_url": image,
               "sectors": [{"name": "Pista", "price_cents": 100, "capacity": 1}]})
    };
    for image in ["//evil.example/x.png", "/\\evil.example/x.png", "http://example.com/x.png", "javascript:alert(1)"] {
        let r = h.post("/api/v1/admin/events", Some(&admin), event("Show", image)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{image}: {}", r.body);
    }
    let rlo = h.post("/api/v1/admin/events", Some(&admin), event("Show\u{202E}", "/img/show.png")).await;
    assert_eq!(rlo.body["code"], "invalid_text");
    assert_eq!(h.count("events", mongodb::bson::doc! {}).await, 0, "no event was stored");
    let ok = h.post("/api/v1/admin/events", Some(&admin), event("Show", "https://cdn.example.com/show.png")).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    h.finish().await;
}
