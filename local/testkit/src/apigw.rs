//! The one builder of API Gateway HTTP API (payload format 2.0) events: what API Gateway
//! sends a function for one request, parsed by `lambda_http` exactly as in Lambda, so a
//! handler sees the `Request` it sees there. The local router's gateway stand-in
//! (`bilheteria-local`'s `gateway`) builds its events with it, and so do the handler tests
//! (`lambda::apigw_v2`); each gives the request context it stands for.

use base64::Engine;
use chrono::{DateTime, Utc};
use lambda_http::Request;
use serde_json::{json, Map, Value};

/// What `requestContext` says about the API and the caller, besides the method, the path
/// and the route (which the builder fills in).
#[derive(Clone, Debug)]
pub struct RequestContext {
    pub account_id: String,
    pub api_id: String,
    pub domain_name: String,
    pub domain_prefix: String,
    pub source_ip: String,
    pub request_id: String,
    /// When API Gateway received the request (`time` and `timeEpoch`).
    pub time: DateTime<Utc>,
}

/// One request as API Gateway hands it to a function.
#[derive(Clone, Debug)]
pub struct ApiGwV2 {
    method: String,
    route: String,
    raw_path: String,
    /// `Some` when the request's query is given: `rawQueryString` and
    /// `queryStringParameters`; `None`: an empty `rawQueryString` and no parameters field.
    raw_query: Option<String>,
    headers: Map<String, Value>,
    /// `Some` once cookies are given (API Gateway moves them out of the headers).
    cookies: Option<Vec<Value>>,
    path_parameters: Map<String, Value>,
    body: Option<String>,
    is_base64: bool,
    context: RequestContext,
}

impl ApiGwV2 {
    /// A request for `route` (the route template, API Gateway's `{param}` syntax, e.g.
    /// `/api/v1/orders/{id}`) at `raw_path`, with the path parameters API Gateway fills in
    /// from the template, no headers and no body.
    pub fn new(method: &str, route: &str, raw_path: &str, context: RequestContext) -> Self {
        let mut path_parameters = Map::new();
        for (want, got) in route.split('/').zip(raw_path.split('/')) {
            if let Some(name) = want.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                path_parameters.insert(name.to_string(), json!(got));
            }
        }
        ApiGwV2 {
            method: method.to_string(),
            route: route.to_string(),
            raw_path: raw_path.to_string(),
            raw_query: None,
            headers: Map::new(),
            cookies: None,
            path_parameters,
            body: None,
            is_base64: false,
            context,
        }
    }

    /// Replaces the path parameters (with those a router matched, say).
    pub fn path_parameters<K: Into<String>, V: Into<String>>(
        mut self,
        params: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.path_parameters = params.into_iter().map(|(k, v)| (k.into(), Value::String(v.into()))).collect();
        self
    }

    /// The query string as received (without the `?`; empty for none).
    pub fn query(mut self, raw: &str) -> Self {
        self.raw_query = Some(raw.to_string());
        self
    }

    /// One header, as API Gateway passes it on: the name lower-cased, a repeated header
    /// joined with commas, cookies moved to the event's `cookies` list.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let name = name.to_ascii_lowercase();
        if name == "cookie" {
            let cookies = self.cookies.get_or_insert_with(Vec::new);
            cookies.extend(value.split(';').map(|c| Value::String(c.trim().to_string())));
            return self;
        }
        match self.headers.get_mut(&name) {
            Some(Value::String(existing)) => {
                existing.push(',');
                existing.push_str(value);
            }
            _ => {
                self.headers.insert(name, Value::String(value.to_string()));
            }
        }
        self
    }

    /// Every header a client sent, each as `header` takes it; the event then carries a
    /// `cookies` list even when it is empty.
    pub fn headers<'a>(mut self, received: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        self.cookies.get_or_insert_with(Vec::new);
        for (name, value) in received {
            self = self.header(name, value);
        }
        self
    }

    /// The body: none when empty, as text when it is UTF-8, else base64 (`isBase64Encoded`).
    pub fn body(mut self, bytes: &[u8]) -> Self {
        let (text, is_base64) = match std::str::from_utf8(bytes) {
            Ok(text) => (text.to_string(), false),
            Err(_) => (base64::engine::general_purpose::STANDARD.encode(bytes), true),
        };
        self.body = (!bytes.is_empty()).then_some(text);
        self.is_base64 = is_base64;
        self
    }

    /// The event as JSON, as API Gateway sends it.
    pub fn to_event(&self) -> Value {
        let route_key = format!("{} {}", self.method, self.route);
        let user_agent = self.headers.get("user-agent").cloned().unwrap_or(Value::String(String::new()));
        let context = &self.context;
        let mut event = json!({
            "version": "2.0",
            "routeKey": route_key,
            "rawPath": self.raw_path,
            "rawQueryString": self.raw_query.as_deref().unwrap_or(""),
            "headers": self.headers,
            "pathParameters": self.path_parameters,
            "requestContext": {
                "accountId": context.account_id,
                "apiId": context.api_id,
                "domainName": context.domain_name,
                "domainPrefix": context.domain_prefix,
                "http": {
                    "method": self.method,
                    "path": self.raw_path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": context.source_ip,
                    "userAgent": user_agent,
                },
                "requestId": context.request_id,
                "routeKey": route_key,
                "stage": "$default",
                "time": context.time.format("%d/%b/%Y:%H:%M:%S +0000").to_string(),
                "timeEpoch": context.time.timestamp_millis(),
            },
            "body": self.body,
            "isBase64Encoded": self.is_base64,
        });
        if let Some(cookies) = &self.cookies {
            event["cookies"] = Value::Array(cookies.clone());
        }
        if let Some(raw) = &self.raw_query {
            event["queryStringParameters"] = query_parameters(raw);
        }
        event
    }

    /// The `Request` `lambda_http` makes of the event, exactly as in Lambda.
    pub fn into_request(self) -> Result<Request, serde_json::Error> {
        lambda_http::request::from_str(&self.to_event().to_string())
    }
}

/// `queryStringParameters` as API Gateway fills it: a repeated key's values joined with commas.
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
