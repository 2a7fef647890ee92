//! The pieces of `bilheteria-lambda-bench` (src/bin/lambda_bench.rs): where requests go (the
//! local router over HTTP, or a function's emulated Runtime API as API Gateway events), the
//! closed- and open-loop drivers, and the database's command counter.

pub mod consumer;
pub mod drive;
pub mod reads;

use crate::lambda_emulator::{Invocation, RuntimeApi};
use bilheteria_testkit::apigw::{ApiGwV2, RequestContext};
use serde_json::Value;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Where a request goes.
#[derive(Clone)]
pub enum Target {
    /// The local router (`bilheteria-local serve`'s), over HTTP.
    Router { http: reqwest::Client, base: String },
    /// A function's environments, through API Gateway's HTTP API event (payload 2.0).
    Lambda(RuntimeApi),
}

/// One answer: the status and the parsed body (`Value::Null` when empty or not JSON).
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub etag: Option<String>,
}

pub struct Call<'a> {
    pub method: &'a str,
    /// The route template, as API Gateway names it (`/api/v1/orders/{id}/pay`).
    pub route: &'a str,
    pub path: &'a str,
    pub token: Option<&'a str>,
    pub body: Option<&'a Value>,
    pub if_none_match: Option<&'a str>,
}

impl Target {
    pub async fn send(&self, call: &Call<'_>) -> Result<Answer, BoxError> {
        match self {
            Target::Router { http, base } => {
                let method = reqwest::Method::from_bytes(call.method.as_bytes())?;
                let mut request = http.request(method, format!("{base}{}", call.path));
                if let Some(token) = call.token {
                    request = request.bearer_auth(token);
                }
                if let Some(body) = call.body {
                    request = request.json(body);
                }
                if let Some(tag) = call.if_none_match {
                    request = request.header("if-none-match", tag);
                }
                let response = request.send().await?;
                let status = response.status().as_u16();
                let etag = response.headers().get("etag").and_then(|v| v.to_str().ok()).map(str::to_string);
                let bytes = response.bytes().await?;
                Ok(Answer { status, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null), etag })
            }
            Target::Lambda(api) => {
                let event = api_gateway_event(call)?;
                match api.invoke(serde_json::to_vec(&event)?.into()).await? {
                    Invocation::Answered(bytes) => {
                        let reply: Value = serde_json::from_slice(&bytes)?;
                        let status = reply["statusCode"].as_u64().unwrap_or(0) as u16;
                        let body =
                            reply["body"].as_str().and_then(|b| serde_json::from_str(b).ok()).unwrap_or(Value::Null);
                        let etag = reply["headers"]["etag"].as_str().map(str::to_string);
                        Ok(Answer { status, body, etag })
                    }
                    Invocation::Failed(bytes) => {
                        Err(format!("the function failed: {}", String::from_utf8_lossy(&bytes)).into())
                    }
                }
            }
        }
    }
}

/// What API Gateway sends the function for this call.
fn api_gateway_event(call: &Call<'_>) -> Result<Value, BoxError> {
    let context = RequestContext {
        account_id: "000000000000".into(),
        api_id: "bench".into(),
        domain_name: "bench.execute-api.us-east-1.amazonaws.com".into(),
        domain_prefix: "bench".into(),
        source_ip: "203.0.113.10".into(),
        request_id: uuid::Uuid::new_v4().to_string(),
        time: chrono::Utc::now(),
    };
    let (path, query) = call.path.split_once('?').unwrap_or((call.path, ""));
    let mut event = ApiGwV2::new(call.method, call.route, path, context)
        .query(query)
        .header("accept", "application/json")
        .header("host", "bench.execute-api.us-east-1.amazonaws.com");
    let bearer;
    if let Some(token) = call.token {
        bearer = format!("Bearer {token}");
        event = event.header("authorization", &bearer);
    }
    if let Some(tag) = call.if_none_match {
        event = event.header("if-none-match", tag);
    }
    let body;
    if let Some(value) = call.body {
        body = serde_json::to_vec(value)?;
        event = event.header("content-type", "application/json").body(&body);
    }
    Ok(event.to_event())
}

/// Requests the server has received so far (`serverStatus.network.numRequests`): every
/// command, however many statements or documents it carries.
pub async fn server_requests(db: &mongodb::Database) -> Option<u64> {
    let status = db.run_command(mongodb::bson::doc! {"serverStatus": 1}).await.ok()?;
    match status.get_document("network").ok()?.get("numRequests")? {
        mongodb::bson::Bson::Int32(n) => Some(*n as u64),
        mongodb::bson::Bson::Int64(n) => Some(*n as u64),
        mongodb::bson::Bson::Double(n) => Some(*n as u64),
        _ => None,
    }
}

/// The database's count of operations so far (`serverStatus.opcounters`, every kind summed:
/// like mongod's, an insert counts each document and an update each statement), or `None`
/// where the server does not keep one.
pub async fn server_commands(db: &mongodb::Database) -> Option<u64> {
    Some(server_commands_by_kind(db).await?.values().sum())
}

/// `serverStatus.opcounters` by kind (insert, query, update, delete, getmore, command).
pub async fn server_commands_by_kind(db: &mongodb::Database) -> Option<std::collections::BTreeMap<String, u64>> {
    let status = db.run_command(mongodb::bson::doc! {"serverStatus": 1}).await.ok()?;
    let counters = status.get_document("opcounters").ok()?;
    let counts = counters.iter().filter_map(|(kind, v)| match v {
        mongodb::bson::Bson::Int32(n) => Some((kind.clone(), *n as u64)),
        mongodb::bson::Bson::Int64(n) => Some((kind.clone(), *n as u64)),
        mongodb::bson::Bson::Double(n) => Some((kind.clone(), *n as u64)),
        _ => None,
    });
    Some(counts.collect())
}
