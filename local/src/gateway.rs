//! A local stand-in for API Gateway's HTTP API: it turns an incoming HTTP request into the
//! payload-format-2.0 event API Gateway would send, and lets `lambda_http` parse it, so the
//! handlers see exactly the `Request` they see in Lambda.

use bilheteria::routes::Matched;
use lambda_http::Request;
use serde_json::{json, Map, Value};

pub struct Incoming<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub headers: Vec<(String, String)>,
    pub body: &'a [u8],
    pub source_ip: String,
    pub request_id: &'a str,
}

pub fn to_lambda_request(incoming: &Incoming<'_>, matched: &Matched) -> Result<Request, serde_json::Error> {
    let mut headers = Map::new();
    let mut cookies = Vec::new();
    for (name, value) in &incoming.headers {
        let name = name.to_ascii_lowercase();
        if name == "cookie" {
            cookies.extend(value.split(';').map(|c| Value::String(c.trim().to_string())));
            continue;
        }
        // API Gateway joins repeated headers with commas.
        match headers.get_mut(&name) {
            Some(Value::String(existing)) => {
                existing.push(',');
                existing.push_str(value);
            }
            _ => {
                headers.insert(name, Value::String(value.clone()));
            }
        }
    }
    let (body, is_base64) = match std::str::from_utf8(incoming.body) {
        Ok(text) => (text.to_string(), false),
        Err(_) => {
            use base64::Engine;
            (base64::engine::general_purpose::STANDARD.encode(incoming.body), true)
        }
    };
    let path_parameters: Map<String, Value> =
        matched.params.iter().map(|(k, v)| (k.to_string(), Value::String(v.clone()))).collect();
    let route_key = format!("{} {}", matched.route.method, matched.route.path);
    let now = chrono::Utc::now();
    let user_agent = headers.get("user-agent").cloned().unwrap_or(Value::String(String::new()));
    let event = json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": incoming.path,
        "rawQueryString": incoming.query.unwrap_or(""),
        "cookies": cookies,
        "headers": headers,
        "queryStringParameters": query_parameters(incoming.query.unwrap_or("")),
        "pathParameters": path_parameters,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": "localhost",
            "domainPrefix": "localhost",
            "http": {
                "method": incoming.method,
                "path": incoming.path,
                "protocol": "HTTP/1.1",
                "sourceIp": incoming.source_ip,
                "userAgent": user_agent,
            },
            "requestId": incoming.request_id,
            "routeKey": route_key,
            "stage": "$default",
            "time": now.format("%d/%b/%Y:%H:%M:%S +0000").to_string(),
            "timeEpoch": now.timestamp_millis(),
        },
        "body": if incoming.body.is_empty() { Value::Null } else { Value::String(body) },
        "isBase64Encoded": is_base64,
    });
    lambda_http::request::from_str(&event.to_string())
}

fn query_parameters(raw: &str) -> Value {
    let mut params = Map::new();
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match params.get_mut(k) {
            Some(Value::String(existing)) => {
                existing.push(',');
                existing.push_str(v);
            }
            _ => {
                params.insert(k.to_string(), Value::String(v.to_string()));
            }
        }
    }
    Value::Object(params)
}
