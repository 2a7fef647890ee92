//! Accounts through the API, as a browser would hold them: the access token from the body,
//! the refresh token from its `Set-Cookie`.

use super::{Harness, Reply};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub const STRONG_PASSWORD: &str = "Girassol-Vitrola-42";

/// A session as the client keeps it.
#[derive(Clone, Debug)]
pub struct Session {
    pub access: String,
    /// The refresh token (the `bilheteria_refresh` cookie's value).
    pub refresh: String,
    pub user: Value,
}

/// The value a `Set-Cookie: bilheteria_refresh=…` of this reply sets (empty when cleared).
pub fn refresh_cookie(reply: &Reply) -> Option<String> {
    reply.headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find_map(|c| {
        c.strip_prefix("bilheteria_refresh=").map(|rest| rest.split(';').next().unwrap_or("").to_string())
    })
}

impl Harness {
    pub async fn register(&self, email: &str, cpf: Option<&str>) -> Reply {
        let mut body = json!({"name": "Ana Souza", "email": email, "password": STRONG_PASSWORD});
        if let Some(cpf) = cpf {
            body["cpf"] = cpf.into();
        }
        self.post("/api/v1/auth/register", None, body).await
    }

    pub async fn login_reply(&self, email: &str, password: &str) -> Reply {
        self.post("/api/v1/auth/login", None, json!({"email": email, "password": password})).await
    }

    pub async fn login(&self, email: &str) -> Session {
        let reply = self.login_reply(email, STRONG_PASSWORD).await;
        assert_eq!(reply.status, StatusCode::OK, "login: {}", reply.body);
        session_of(&reply)
    }

    /// Registers (with a CPF) and logs in.
    pub async fn account(&self, email: &str, cpf: &str) -> Session {
        let reg = self.register(email, Some(cpf)).await;
        assert_eq!(reg.status, StatusCode::CREATED, "register: {}", reg.body);
        self.login(email).await
    }

    /// `POST /auth/refresh` with this refresh cookie.
    pub async fn refresh(&self, refresh: &str) -> Reply {
        let cookie = format!("bilheteria_refresh={refresh}");
        self.call_with(Method::POST, "/api/v1/auth/refresh", None, None, &[("cookie", &cookie)]).await
    }

    /// The verification link last e-mailed to `email`, from the local mailbox.
    pub async fn verification_token(&self, email: &str) -> String {
        let mailbox = self.get(&format!("/dev/mailbox?to={email}"), None).await;
        let body = mailbox.body[0]["body"].as_str().unwrap_or_else(|| panic!("an e-mail to {email}: {}", mailbox.body));
        let start = body.find("#token=").expect("a verification link") + "#token=".len();
        body[start..].split_whitespace().next().expect("the token").to_string()
    }
}

pub fn session_of(reply: &Reply) -> Session {
    Session {
        access: reply.body["access_token"].as_str().expect("an access token").to_string(),
        refresh: refresh_cookie(reply).expect("a refresh cookie"),
        user: reply.body["user"].clone(),
    }
}

/// A second router on the same database, with its own connection pool and its own caches:
/// another Lambda instance, as far as the box office can tell.
pub struct Sibling {
    pub base: String,
    server: tokio::task::JoinHandle<()>,
}

impl Sibling {
    pub async fn start(h: &Harness) -> Self {
        let mut app = bilheteria_testkit::harness::app_for(h.config.clone()).await.expect("a second app");
        app.clock = h.clock.clone();
        let router = bilheteria_local::server::router(bilheteria_local::server::Served {
            app: app.clone(),
            site_dir: None,
            openapi: None,
            dev_mailbox: false,
            fake_psp: None,
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Sibling { base, server }
    }

    pub async fn get(&self, h: &Harness, path: &str, token: &str) -> StatusCode {
        h.http.get(format!("{}{path}", self.base)).bearer_auth(token).send().await.expect("request").status()
    }
}

impl Drop for Sibling {
    fn drop(&mut self) {
        self.server.abort();
    }
}
