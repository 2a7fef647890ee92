//! Sessions through the local router: short access tokens, refresh tokens rotated on every
//! use with reuse detection, and tokens that follow their account (logout, password change,
//! deletion, role change), also on another instance within the cache window.

use crate::helpers::accounts::{refresh_cookie, session_of, Sibling, STRONG_PASSWORD};
use crate::helpers::Harness;
use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn login_answers_a_fifteen_minute_token_and_sets_an_httponly_strict_refresh_cookie() {
    let h = Harness::start().await;
    h.register("ana@example.com", None).await;
    let login = h.login_reply("ana@example.com", STRONG_PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    assert_eq!(login.body["expires_in"], 900);
    assert!(login.body.get("refresh_token").is_none(), "the refresh token is never in the body");
    let cookie = login.headers["set-cookie"].to_str().expect("ascii");
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/api/v1/auth"] {
        assert!(cookie.contains(attribute), "{attribute} missing from {cookie}");
    }
    assert_eq!(login.headers["cache-control"], "no-store");
    h.finish().await;
}

#[tokio::test]
async fn each_refresh_rotates_the_token_and_replaying_a_spent_one_ends_the_whole_session() {
    let h = Harness::start().await;
    let first = h.account("ana@example.com", "529.982.247-25").await;

    let second = h.refresh(&first.refresh).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let second = session_of(&second);
    assert_ne!(second.refresh, first.refresh, "rotated");
    assert_eq!(second.user["cpf"], "529.982.247-25", "the access token is built from the account as it is");
    let third = session_of(&h.refresh(&second.refresh).await);

    // The spent first token comes back: someone holds a copy. The session ends for both.
    let replay = h.refresh(&first.refresh).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED, "{}", replay.body);
    assert_eq!(replay.body["code"], "session_ended");
    assert_eq!(h.refresh(&third.refresh).await.status, StatusCode::UNAUTHORIZED, "the family is revoked");
    assert_eq!(h.get("/api/v1/me", Some(&third.access)).await.status, StatusCode::UNAUTHORIZED, "and its tokens");
    // A new login starts a new session.
    let again = h.login("ana@example.com").await;
    assert_eq!(h.get("/api/v1/me", Some(&again.access)).await.status, StatusCode::OK);
    assert_eq!(h.refresh("not-a-token").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(h.post("/api/v1/auth/refresh", None, json!({})).await.status, StatusCode::UNAUTHORIZED);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_refreshes_of_one_token_at_once_issue_at_most_one_new_token() {
    let h = Harness::start().await;
    h.register("ana@example.com", None).await;
    for round in 0..4 {
        let session = h.login("ana@example.com").await;
        let replies = join_all((0..10).map(|_| h.refresh(&session.refresh))).await;
        let issued: Vec<_> = replies.iter().filter(|r| r.status == StatusCode::OK).collect();
        let refused = replies.iter().filter(|r| r.status == StatusCode::UNAUTHORIZED).count();
        // One request spends the token; the nine others replay a spent one, which ends the
        // family — before or after the first has stored its successor. Either it answered
        // before the end (its new token is then revoked with the family) or it was refused.
        assert!(issued.len() <= 1, "round {round}: {} new tokens", issued.len());
        assert_eq!(refused, 10 - issued.len(), "round {round}: only 200s and 401s");
        if let Some(winner) = issued.first() {
            let winner = refresh_cookie(winner).expect("the winner's cookie");
            assert_eq!(h.refresh(&winner).await.status, StatusCode::UNAUTHORIZED, "round {round}");
        }
        assert_eq!(h.count("refresh_tokens", mongodb::bson::doc! {"revoked_at": {"$exists": false}}).await, 0);
    }
    h.finish().await;
}

#[tokio::test]
async fn logout_ends_the_session_and_clears_the_cookie() {
    let h = Harness::start().await;
    let s = h.account("ana@example.com", "529.982.247-25").await;
    let cookie = format!("bilheteria_refresh={}", s.refresh);
    let out = h.call_with(Method::POST, "/api/v1/auth/logout", None, None, &[("cookie", &cookie)]).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(refresh_cookie(&out).as_deref(), Some(""), "cleared");
    assert_eq!(h.refresh(&s.refresh).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(h.get("/api/v1/me", Some(&s.access)).await.status, StatusCode::UNAUTHORIZED);
    // Logging out again, or without a session, is fine.
    assert_eq!(h.post("/api/v1/auth/logout", None, json!({})).await.status, StatusCode::NO_CONTENT);
    h.finish().await;
}

#[tokio::test]
async fn a_password_change_ends_every_other_session_and_keeps_this_device_in() {
    let h = Harness::start().await;
    let laptop = h.account("ana@example.com", "529.982.247-25").await;
    let phone = h.login("ana@example.com").await;
    let weak = h
        .post(
            "/api/v1/me/password",
            Some(&laptop.access),
            json!({"current_password": STRONG_PASSWORD, "new_password": "password"}),
        )
        .await;
    assert_eq!((weak.status, weak.body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("weak_password")));
    let wrong = h
        .post(
            "/api/v1/me/password",
            Some(&laptop.access),
            json!({"current_password": "nope", "new_password": "Tamarindo-Azul-77"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);

    let changed = h
        .post(
            "/api/v1/me/password",
            Some(&laptop.access),
            json!({"current_password": STRONG_PASSWORD, "new_password": "Tamarindo-Azul-77"}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let laptop_now = session_of(&changed);
    assert_eq!(h.get("/api/v1/me", Some(&laptop_now.access)).await.status, StatusCode::OK);
    for (what, token) in [("laptop's old", &laptop.access), ("phone's", &phone.access)] {
        assert_eq!(h.get("/api/v1/me", Some(token)).await.status, StatusCode::UNAUTHORIZED, "{what} access token");
    }
    assert_eq!(h.refresh(&phone.refresh).await.status, StatusCode::UNAUTHORIZED, "the phone's session ended");
    assert_eq!(h.login_reply("ana@example.com", STRONG_PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(h.login_reply("ana@example.com", "Tamarindo-Azul-77").await.status, StatusCode::OK);
    h.finish().await;
}

/// Polls another instance until it refuses the token; returns how long that took.
async fn refused_on(h: &Harness, sibling: &Sibling, path: &str, token: &str, within: Duration) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < within {
        let status = sibling.get(h, path, token).await;
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

#[tokio::test]
async fn a_deleted_accounts_token_is_refused_at_once_here_and_within_the_cache_window_elsewhere() {
    let h = Harness::start_with(|c| c.auth_cache_seconds = 2).await;
    let s = h.account("ana@example.com", "529.982.247-25").await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let elsewhere = Sibling::start(&h).await;
    // The other instance has read the (empty) revocations: its cache is warm.
    assert_eq!(elsewhere.get(&h, "/api/v1/orders", &s.access).await, StatusCode::OK);

    let wrong = h.call(Method::DELETE, "/api/v1/me", Some(&s.access), Some(json!({"password": "nope"}))).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN, "deleting needs the password");
    let deleted =
        h.call(Method::DELETE, "/api/v1/me", Some(&s.access), Some(json!({"password": STRONG_PASSWORD}))).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);

    let reserve = h.reserve(&s.access, &event, "Pista", "full", 1).await;
    assert_eq!(reserve.status, StatusCode::UNAUTHORIZED, "this instance knows at once: {}", reserve.body);
    let took = refused_on(&h, &elsewhere, "/api/v1/orders", &s.access, Duration::from_secs(4)).await;
    let took = took.expect("the other instance refuses the token within its 2 s cache window");
    assert!(took <= Duration::from_millis(2_500), "refused after {took:?}");
    assert_eq!(h.available(&event, "Pista").await, 10, "nothing was sold to the deleted account");
    assert_eq!(h.refresh(&s.refresh).await.status, StatusCode::UNAUTHORIZED);
    // The e-mail and the CPF are free again.
    assert_eq!(h.register("ana@example.com", Some("52998224725")).await.status, StatusCode::CREATED);
    h.finish().await;
}

#[tokio::test]
async fn a_demoted_admins_token_loses_the_console_here_at_once_and_elsewhere_within_the_window() {
    let h = Harness::start_with(|c| c.auth_cache_seconds = 2).await;
    bilheteria::services::accounts::ensure_admin(&h.app, "Bia", "bia@example.com", STRONG_PASSWORD)
        .await
        .expect("an admin");
    let bia = h.login("bia@example.com").await;
    let other_admin = h.admin().await;
    let elsewhere = Sibling::start(&h).await;
    assert_eq!(elsewhere.get(&h, "/api/v1/admin/dashboard", &bia.access).await, StatusCode::OK);

    let id = bia.user["id"].as_str().expect("id");
    let own = h
        .call(Method::PUT, &format!("/api/v1/admin/users/{id}/role"), Some(&bia.access), Some(json!({"role": "buyer"})))
        .await;
    assert_eq!((own.status, own.body["code"].as_str()), (StatusCode::CONFLICT, Some("own_role")));
    let demoted = h
        .call(
            Method::PUT,
            &format!("/api/v1/admin/users/{id}/role"),
            Some(&other_admin),
            Some(json!({"role": "buyer"})),
        )
        .await;
    assert_eq!(demoted.status, StatusCode::OK, "{}", demoted.body);
    assert_eq!(demoted.body["role"], "buyer");

    let create = h
        .post(
            "/api/v1/admin/events",
            Some(&bia.access),
            json!({"name": "X", "venue": "Y", "starts_at": "2030-01-01T20:00:00Z",
                   "sectors": [{"name": "Pista", "price_cents": 100, "capacity": 1}]}),
        )
        .await;
    assert_eq!(create.status, StatusCode::UNAUTHORIZED, "no event from a demoted admin: {}", create.body);
    assert_eq!(h.get("/api/v1/admin/dashboard", Some(&bia.access)).await.status, StatusCode::UNAUTHORIZED);
    let took = refused_on(&h, &elsewhere, "/api/v1/admin/dashboard", &bia.access, Duration::from_secs(4)).await;
    let took = took.expect("the other instance refuses the demoted admin within its 2 s window");
    assert!(took <= Duration::from_millis(2_500), "refused after {took:?}");
    // Logging in again gives a buyer's token.
    let again = h.login("bia@example.com").await;
    assert_eq!(h.get("/api/v1/admin/dashboard", Some(&again.access)).await.status, StatusCode::FORBIDDEN);
    let audit = h.get("/api/v1/admin/audit", Some(&other_admin)).await;
    assert!(audit.body.as_array().expect("entries").iter().any(|e| e["action"] == "user.set_role"), "audited");
    h.finish().await;
}
