//! Attempt limits kept in the database, so that every instance (and every process) counts
//! the same attempts: failed logins per account and per client address, registrations per
//! address.

use crate::helpers::accounts::STRONG_PASSWORD;
use crate::helpers::{eventually, Harness};
use reqwest::StatusCode;
use serde_json::json;

fn retry_after(reply: &crate::helpers::Reply) -> i64 {
    reply.headers["retry-after"].to_str().expect("ascii").parse().expect("seconds")
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_then_the_lock_lifts_for_its_owner() {
    let h = Harness::start().await;
    h.register("ana@example.com", None).await;
    for attempt in 1..=5 {
        let r = h.login_reply("ana@example.com", "Wrong-Guess-123").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    // Locked: even the right password waits, and is not checked.
    let locked = h.login_reply("ana@example.com", STRONG_PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS, "{}", locked.body);
    assert_eq!(locked.body["code"], "login_locked");
    assert_eq!(retry_after(&locked), 30);
    assert_eq!(locked.body["retry_after"], 30);

    h.clock.advance(chrono::Duration::seconds(31));
    let owner = h.login_reply("ana@example.com", STRONG_PASSWORD).await;
    assert_eq!(owner.status, StatusCode::OK, "the owner gets in once the lock has passed: {}", owner.body);
    // Success forgets the account's failures: the next wrong one is a plain 401.
    assert_eq!(h.login_reply("ana@example.com", "Wrong-Guess-123").await.status, StatusCode::UNAUTHORIZED);
    h.finish().await;
}

#[tokio::test]
async fn each_failure_past_the_free_ones_doubles_the_wait() {
    let h = Harness::start().await;
    h.register("ana@example.com", None).await;
    let mut waits = Vec::new();
    for _ in 0..5 {
        h.login_reply("ana@example.com", "Wrong-Guess-123").await;
    }
    for _ in 0..3 {
        let locked = h.login_reply("ana@example.com", "Wrong-Guess-123").await;
        assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
        let wait = retry_after(&locked);
        waits.push(wait);
        h.clock.advance(chrono::Duration::seconds(wait + 1));
        // The lock has passed: this failure counts, and locks for twice as long.
        assert_eq!(h.login_reply("ana@example.com", "Wrong-Guess-123").await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(waits, vec![30, 60, 120]);
    h.finish().await;
}

#[tokio::test]
async fn failed_logins_are_counted_across_two_server_processes_sharing_the_database() {
    let h = Harness::start().await;
    h.register("ana@example.com", None).await;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        l.local_addr().expect("addr").port()
    };
    let mut other = h
        .local_process(&["serve", "--no-consumer", "--port", &port.to_string()])
        .env("MAINTENANCE_EVERY_SECONDS", "3600")
        .spawn()
        .expect("start a second server process");
    let base = format!("http://127.0.0.1:{port}");
    let up = eventually(30, || async { h.http.get(format!("{base}/healthz")).send().await.is_ok() }).await;
    assert!(up, "the second process serves");
    let login_there = |password: &'static str| {
        let url = format!("{base}/api/v1/auth/login");
        let http = h.http.clone();
        async move {
            http.post(url)
                .json(&json!({"email": "ana@example.com", "password": password}))
                .send()
                .await
                .expect("send")
                .status()
        }
    };

    for _ in 0..3 {
        assert_eq!(h.login_reply("ana@example.com", "Wrong-Guess-123").await.status, StatusCode::UNAUTHORIZED);
    }
    for _ in 0..2 {
        assert_eq!(login_there("Wrong-Guess-123").await, StatusCode::UNAUTHORIZED);
    }
    // Five failures between the two: both processes lock the account.
    assert_eq!(login_there(STRONG_PASSWORD).await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(h.login_reply("ana@example.com", STRONG_PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);
    other.kill().await.expect("stop the second process");
    h.finish().await;
}

#[tokio::test]
async fn many_accounts_failing_from_one_address_lock_that_address_and_not_another() {
    let h = Harness::start_with(|c| c.client_address_header = Some("x-test-client".into())).await;
    h.register("ana@example.com", None).await;
    let from = |address: &'static str, email: String, password: &'static str| {
        let h = &h;
        async move {
            let body = json!({"email": email, "password": password});
            h.call_with(reqwest::Method::POST, "/api/v1/auth/login", None, Some(body), &[("x-test-client", address)])
                .await
        }
    };
    // 30 different (unknown) accounts from one address: credential stuffing.
    for i in 0..30 {
        let r = from("203.0.113.7", format!("user{i}@example.com"), "Wrong-Guess-123").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let stuffed = from("203.0.113.7", "ana@example.com".into(), STRONG_PASSWORD).await;
    assert_eq!(stuffed.status, StatusCode::TOO_MANY_REQUESTS, "that address waits");
    let elsewhere = from("198.51.100.20", "ana@example.com".into(), STRONG_PASSWORD).await;
    assert_eq!(elsewhere.status, StatusCode::OK, "the owner, from elsewhere, is not locked out: {}", elsewhere.body);
    h.finish().await;
}

#[tokio::test]
async fn registrations_are_limited_to_ten_an_hour_per_address() {
    let h = Harness::start_with(|c| c.client_address_header = Some("x-test-client".into())).await;
    let register = |address: &'static str, i: usize| {
        let h = &h;
        async move {
            let body = json!({"name": "Ana", "email": format!("ana{i}@example.com"), "password": STRONG_PASSWORD});
            h.call_with(reqwest::Method::POST, "/api/v1/auth/register", None, Some(body), &[("x-test-client", address)])
                .await
        }
    };
    for i in 0..10 {
        assert_eq!(register("203.0.113.7", i).await.status, StatusCode::CREATED, "registration {i}");
    }
    let eleventh = register("203.0.113.7", 10).await;
    assert_eq!(eleventh.status, StatusCode::TOO_MANY_REQUESTS, "{}", eleventh.body);
    assert_eq!(eleventh.body["code"], "registration_throttled");
    assert_eq!(h.count("users", mongodb::bson::doc! {"email": "ana10@example.com"}).await, 0, "nothing stored");
    assert_eq!(register("198.51.100.20", 11).await.status, StatusCode::CREATED, "another address is not limited");
    h.clock.advance(chrono::Duration::minutes(61));
    assert_eq!(register("203.0.113.7", 12).await.status, StatusCode::CREATED, "an hour later");
    h.finish().await;
}
