//! The local HTTP server: `/api/...` through the gateway stand-in to the function handlers,
//! `/docs` (Swagger UI, vendored) and `/openapi.yaml`, and the static site at `/`.

use crate::dispatch;
use crate::gateway::{self, Incoming};
use axum::body::Body as AxumBody;
use axum::extract::{Request as AxumRequest, State};
use axum::response::{IntoResponse, Response as AxumResponse};
use axum::routing::{any, get};
use axum::Router;
use bilheteria::http::problem_response;
use bilheteria::{routes, App, AppError};
use http::{header, StatusCode};
use lambda_http::{Body, Response};
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::services::{ServeDir, ServeFile};

/// API Gateway's HTTP API caps a request payload at 10 MB; ours are tiny, so 1 MiB.
const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Clone)]
pub struct Served {
    pub app: App,
    /// The built site (`site/dist`), or the site's sources when it was not built.
    pub site_dir: Option<PathBuf>,
    pub openapi: Option<PathBuf>,
    /// Serve `/dev/mailbox` (the e-mails the box office "sent"): only on a loopback bind,
    /// since it shows verification links.
    pub dev_mailbox: bool,
    /// The local fake PSP's control URL, when it runs: `/dev/pix` (the site's "simulate
    /// payment" button) pays its charges. Never in production (there is no such route).
    pub fake_psp: Option<String>,
}

pub fn router(served: Served) -> Router {
    let state = Arc::new(served.app.clone());
    let mut router =
        Router::new().route("/api", any(api)).route("/api/{*rest}", any(api)).route("/healthz", get(|| async { "ok" }));
    if served.dev_mailbox {
        router = router.route("/dev/mailbox", get(mailbox));
    }
    if served.app.local_exports.is_some() {
        // What S3's presigned links are in production: large exports, by signed link only.
        router = router.route("/dev/exports/{key}", get(export_file));
    }
    if let Some(control) = served.fake_psp.clone() {
        let pay_control = control.clone();
        let http = reqwest::Client::new();
        router = router.route("/dev/pix", get(|| async { axum::Json(serde_json::json!({"fake_psp": true})) })).route(
            "/dev/pix/pay",
            axum::routing::post(move |body: axum::Json<DevPay>| simulate_pix(http.clone(), pay_control.clone(), body)),
        );
        tracing::info!(%control, "fake PSP control at /dev/pix");
    }
    if let Some(openapi) = &served.openapi {
        router = router.route_service("/openapi.yaml", ServeFile::new(openapi));
    }
    let router = router.with_state(state);
    match &served.site_dir {
        Some(dir) => router
            .route_service("/docs", ServeFile::new(dir.join("docs/index.html")))
            .fallback_service(ServeDir::new(dir).append_index_html_on_directories(true)),
        None => router,
    }
}

async fn api(State(app): State<Arc<App>>, req: AxumRequest) -> AxumResponse {
    let request_id = uuid::Uuid::new_v4().to_string();
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            let err = AppError::BadRequest(format!("the body is larger than {MAX_BODY_BYTES} bytes"));
            return to_axum(problem_response(&err, &request_id));
        }
    };
    let matched = match routes::resolve(&parts.method, parts.uri.path()) {
        Ok(m) => m,
        Err(err) => return to_axum(problem_response(&err, &request_id)),
    };
    let headers = parts
        .headers
        .iter()
        .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_string(), v.to_string())))
        .collect();
    let incoming = Incoming {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query(),
        headers,
        body: &bytes,
        // The peer's address, as API Gateway's `sourceIp` (the harness serves without it).
        source_ip: parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "127.0.0.1".into()),
        request_id: &request_id,
    };
    let request = match gateway::to_lambda_request(&incoming, &matched) {
        Ok(r) => r,
        Err(e) => {
            let err = AppError::BadRequest(format!("the request could not be read: {e}"));
            return to_axum(problem_response(&err, &request_id));
        }
    };
    match dispatch::invoke(&app, matched.route.function, request).await {
        Ok(response) => to_axum(response),
        Err(e) => {
            // What API Gateway answers when a function fails outright.
            tracing::error!(error = %e, function = matched.route.function, "function failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "application/json")],
                r#"{"message":"Internal Server Error"}"#,
            )
                .into_response()
        }
    }
}

#[derive(serde::Deserialize)]
struct MailboxQuery {
    to: String,
}

/// `GET /dev/mailbox?to=<e-mail>`: the local mail viewer (the e-mails are stored, not sent).
async fn mailbox(State(app): State<Arc<App>>, query: axum::extract::Query<MailboxQuery>) -> AxumResponse {
    let to = query.to.trim().to_lowercase();
    match app.stores.mailer(app.clock.clone()).inbox(&to).await {
        Ok(emails) => axum::Json(emails).into_response(),
        Err(err) => to_axum(problem_response(&err, "mailbox")),
    }
}

#[derive(serde::Deserialize)]
struct ExportQuery {
    expires: i64,
    signature: String,
}

/// `GET /dev/exports/<key>?expires=&signature=`: a large export, while its link is valid.
async fn export_file(
    State(app): State<Arc<App>>,
    axum::extract::Path(key): axum::extract::Path<String>,
    query: axum::extract::Query<ExportQuery>,
) -> AxumResponse {
    let Some(exports) = app.local_exports.as_ref() else { return StatusCode::NOT_FOUND.into_response() };
    let Some(path) = exports.open(&key, query.expires, &query.signature, app.clock.now()) else {
        return (StatusCode::FORBIDDEN, "this link is not valid or has expired").into_response();
    };
    match tokio::fs::read(&path).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{key}\"")),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

#[derive(serde::Deserialize)]
struct DevPay {
    txid: String,
}

/// `POST /dev/pix/pay {"txid"}`: the fake PSP pays the charge, as a buyer's bank app would,
/// and notifies the webhook as a PSP does.
async fn simulate_pix(http: reqwest::Client, control: String, body: axum::Json<DevPay>) -> AxumResponse {
    let txid = &body.txid;
    if txid.is_empty() || txid.len() > 35 || !txid.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return (StatusCode::BAD_REQUEST, "txid must be 1 to 35 letters and digits").into_response();
    }
    match http.post(format!("{control}/control/charges/{txid}/pay")).json(&serde_json::json!({})).send().await {
        Ok(answer) => {
            let status = StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
            let text = answer.text().await.unwrap_or_default();
            (status, [(header::CONTENT_TYPE, "application/json")], text).into_response()
        }
        Err(_) => (StatusCode::BAD_GATEWAY, "the fake PSP did not answer").into_response(),
    }
}

fn to_axum(response: Response<Body>) -> AxumResponse {
    let (parts, body) = response.into_parts();
    let body = match body {
        Body::Empty => AxumBody::empty(),
        Body::Text(t) => AxumBody::from(t),
        Body::Binary(b) => AxumBody::from(b),
        _ => AxumBody::empty(),
    };
    AxumResponse::from_parts(parts, body)
}

/// The API alone (no site, docs or mailbox) on an ephemeral loopback port, served in the
/// background: what the benchmarks and long-run checks drive. Its base URL.
pub async fn serve_api_in_background(app: &App) -> std::io::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let router = router(Served { app: app.clone(), site_dir: None, openapi: None, dev_mailbox: false, fake_psp: None });
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok(base)
}
