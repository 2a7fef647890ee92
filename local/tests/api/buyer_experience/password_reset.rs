//! "Esqueci minha senha": one link per request, used once, for an hour; asking tells nothing
//! about who has an account; using it ends every session.

use crate::helpers::accounts::STRONG_PASSWORD;
use crate::helpers::Harness;
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

const NEW_PASSWORD: &str = "Cajueiro-Ventania-77";

/// The token of the reset link last e-mailed to `email` (the local mailbox).
async fn reset_token(h: &Harness, email: &str) -> String {
    let mailbox = h.get(&format!("/dev/mailbox?to={email}"), None).await;
    let mail = mailbox
        .body
        .as_array()
        .expect("a mailbox")
        .iter()
        .find(|m| m["subject"].as_str().is_some_and(|s| s.contains("senha") || s.contains("password")));
    let body =
        mail.and_then(|m| m["body"].as_str()).unwrap_or_else(|| panic!("a reset e-mail to {email}: {}", mailbox.body));
    let start = body.find("/reset.html#token=").expect("a reset link") + "/reset.html#token=".len();
    body[start..].split_whitespace().next().expect("the token").to_string()
}

async fn ask(h: &Harness, email: &str) -> StatusCode {
    h.post("/api/v1/auth/password-reset", None, json!({"email": email})).await.status
}

async fn confirm(h: &Harness, token: &str, password: &str) -> crate::helpers::Reply {
    h.post("/api/v1/auth/password-reset/confirm", None, json!({"token": token, "password": password})).await
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once_and_ends_every_session() {
    let h = Harness::start().await;
    let email = "reset@example.com";
    let session = h.account(email, "529.982.247-25").await;
    assert_eq!(ask(&h, email).await, StatusCode::ACCEPTED);
    let token = reset_token(&h, email).await;

    // A weak password is refused without spending the link.
    let weak = confirm(&h, &token, "123456").await;
    assert_eq!((weak.status, weak.body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("weak_password")));

    // Two clicks at once: one sets the password, the other is told the link was used.
    let replies = join_all((0..2).map(|_| confirm(&h, &token, NEW_PASSWORD))).await;
    let ok = replies.iter().filter(|r| r.status == StatusCode::NO_CONTENT).count();
    let used = replies.iter().filter(|r| r.body["code"] == "reset_link_used").count();
    assert_eq!((ok, used), (1, 1), "{:?}", replies.iter().map(|r| (r.status, r.body.clone())).collect::<Vec<_>>());

    assert_eq!(
        h.login_reply(email, STRONG_PASSWORD).await.status,
        StatusCode::UNAUTHORIZED,
        "the old password is gone"
    );
    assert_eq!(h.login_reply(email, NEW_PASSWORD).await.status, StatusCode::OK, "the new one works");
    assert_eq!(h.refresh(&session.refresh).await.status, StatusCode::UNAUTHORIZED, "the old session ended");
    let again = confirm(&h, &token, "Outra-Senha-Forte-88").await;
    assert_eq!(again.body["code"], "reset_link_used", "{}", again.body);
    h.finish().await;
}

#[tokio::test]
async fn asking_for_an_unknown_address_answers_the_same_and_sends_nothing() {
    let h = Harness::start().await;
    h.account("known@example.com", "529.982.247-25").await;
    assert_eq!(ask(&h, "known@example.com").await, StatusCode::ACCEPTED);
    assert_eq!(ask(&h, "nobody@example.com").await, StatusCode::ACCEPTED);
    assert_eq!(h.count("emails", mongodb::bson::doc! {"to": "nobody@example.com"}).await, 0);
    assert_eq!(ask(&h, "not-an-address").await, StatusCode::UNPROCESSABLE_ENTITY);
    // A fourth request an hour for one address waits (known or not: the limit tells nothing).
    for _ in 0..2 {
        assert_eq!(ask(&h, "nobody@example.com").await, StatusCode::ACCEPTED);
    }
    assert_eq!(ask(&h, "nobody@example.com").await, StatusCode::TOO_MANY_REQUESTS);
    h.finish().await;
}

#[tokio::test]
async fn an_expired_or_made_up_link_is_refused_and_changes_nothing() {
    let h = Harness::start().await;
    let email = "late@example.com";
    h.account(email, "529.982.247-25").await;
    assert_eq!(ask(&h, email).await, StatusCode::ACCEPTED);
    let token = reset_token(&h, email).await;
    let made_up = confirm(&h, "not-a-token-of-ours", NEW_PASSWORD).await;
    assert_eq!(made_up.body["code"], "reset_link_invalid", "{}", made_up.body);
    h.clock.advance(chrono::Duration::minutes(61));
    let late = confirm(&h, &token, NEW_PASSWORD).await;
    assert_eq!(late.body["code"], "reset_link_expired", "{}", late.body);
    assert_eq!(h.login_reply(email, STRONG_PASSWORD).await.status, StatusCode::OK, "the password is unchanged");
    h.finish().await;
}
