//! Accounts under concurrency: failed logins counted exactly when they arrive together (the
//! lock cannot be raced past), one account per CPF when several claim it at once, and one
//! CPF per account.

use crate::helpers::accounts::STRONG_PASSWORD;
use crate::helpers::Harness;
use futures::future::join_all;
use mongodb::bson::doc;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_wrong_passwords_at_once_are_all_counted_and_lock_the_account() {
    // Each round from an address of its own, so that only the account's count is at play.
    let h = Harness::start_with(|c| c.client_address_header = Some("x-test-client".into())).await;
    for round in 0..3 {
        let email = format!("ana{round}@example.com");
        assert_eq!(h.register(&email, None).await.status, StatusCode::CREATED);
        let address = format!("198.51.100.{round}");
        let replies = join_all((0..20).map(|_| {
            let body = json!({"email": &email, "password": "Wrong-Guess-123"});
            let h = &h;
            let address = address.clone();
            async move {
                h.call_with(Method::POST, "/api/v1/auth/login", None, Some(body), &[("x-test-client", &address)]).await
            }
        }))
        .await;
        let refused = replies.iter().filter(|r| r.status == StatusCode::UNAUTHORIZED).count();
        let throttled = replies.iter().filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS).count();
        assert_eq!(refused + throttled, 20, "round {round}: only 401s and 429s");
        assert!(refused >= 5, "round {round}: the five free attempts are served ({refused})");
        // Every checked password was counted, none twice: the count is what was answered 401.
        let counted = h.count("attempts", doc! {"_id": format!("login:{email}"), "count": refused as i64}).await;
        assert_eq!(counted, 1, "round {round}: {refused} failures counted");
        let owner = h.login_reply(&email, STRONG_PASSWORD).await;
        assert_eq!(owner.status, StatusCode::TOO_MANY_REQUESTS, "round {round}: locked, even for the password");
    }
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_registrations_with_one_cpf_at_once_make_exactly_one_account() {
    // Each round from an address of its own: 24 registrations would pass the hourly limit.
    let h = Harness::start_with(|c| c.client_address_header = Some("x-test-client".into())).await;
    let cpfs = ["529.982.247-25", "111.444.777-35", "935.411.347-80"];
    for (round, cpf) in cpfs.iter().enumerate() {
        let replies = join_all((0..8).map(|i| {
            let h = &h;
            async move {
                let body = json!({"name": "Ana", "email": format!("r{round}-{i}@example.com"), "password": STRONG_PASSWORD, "cpf": cpf});
                let address = format!("198.51.100.{round}");
                h.call_with(Method::POST, "/api/v1/auth/register", None, Some(body), &[("x-test-client", &address)]).await
            }
        }))
        .await;
        let created = replies.iter().filter(|r| r.status == StatusCode::CREATED).count();
        let taken =
            replies.iter().filter(|r| r.status == StatusCode::CONFLICT && r.body["code"] == "cpf_taken").count();
        assert_eq!((created, taken), (1, 7), "round {round}");
        let digits: String = cpf.chars().filter(char::is_ascii_digit).collect();
        assert_eq!(h.count("users", doc! {"cpf": &digits}).await, 1, "round {round}: one account holds it");
    }
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_accounts_claiming_one_cpf_at_once_and_one_account_claiming_two_each_keep_one() {
    let h = Harness::start().await;
    for round in 0..3 {
        let a = format!("a{round}@example.com");
        let b = format!("b{round}@example.com");
        h.register(&a, None).await;
        h.register(&b, None).await;
        let (a, b) = (h.login(&a).await, h.login(&b).await);
        let cpf = ["529.982.247-25", "111.444.777-35", "935.411.347-80"][round];
        let set = |token: String, cpf: &'static str| {
            let h = &h;
            async move { h.call(Method::PUT, "/api/v1/me/cpf", Some(&token), Some(json!({"cpf": cpf}))).await }
        };
        let both = join_all([set(a.access.clone(), cpf), set(b.access.clone(), cpf)]).await;
        let statuses: Vec<u16> = both.iter().map(|r| r.status.as_u16()).collect();
        assert!(statuses.contains(&200) && statuses.contains(&409), "round {round}: {statuses:?}");
        let digits: String = cpf.chars().filter(char::is_ascii_digit).collect();
        assert_eq!(h.count("users", doc! {"cpf": &digits}).await, 1, "round {round}");
    }
    // One account, two CPFs at once: one is kept, the other refused.
    h.register("c@example.com", None).await;
    let c = h.login("c@example.com").await;
    let two = join_all(["862.731.390-32", "248.438.034-80"].map(|cpf| {
        let h = &h;
        let token = c.access.clone();
        async move { h.call(Method::PUT, "/api/v1/me/cpf", Some(&token), Some(json!({"cpf": cpf}))).await }
    }))
    .await;
    let ok = two.iter().filter(|r| r.status == StatusCode::OK).count();
    assert_eq!(ok, 1, "{:?}", two.iter().map(|r| r.body.clone()).collect::<Vec<_>>());
    assert_eq!(h.count("users", doc! {"email": "c@example.com", "cpf": {"$exists": true}}).await, 1);
    h.finish().await;
}
