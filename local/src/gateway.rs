//! A local stand-in for API Gateway's HTTP API: it turns an incoming HTTP request into the
//! payload-format-2.0 event API Gateway would send (with the testkit's event builder, the
//! same one the handler tests use), and lets `lambda_http` parse it, so the handlers see
//! exactly the `Request` they see in Lambda.

use bilheteria::routes::Matched;
use bilheteria_testkit::apigw::{ApiGwV2, RequestContext};
use lambda_http::Request;

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
    let context = RequestContext {
        account_id: "000000000000".into(),
        api_id: "local".into(),
        domain_name: "localhost".into(),
        domain_prefix: "localhost".into(),
        source_ip: incoming.source_ip.clone(),
        request_id: incoming.request_id.to_string(),
        time: chrono::Utc::now(),
    };
    ApiGwV2::new(incoming.method, matched.route.path, incoming.path, context)
        .path_parameters(matched.params.iter().map(|(k, v)| (*k, v.as_str())))
        .query(incoming.query.unwrap_or(""))
        .headers(incoming.headers.iter().map(|(name, value)| (name.as_str(), value.as_str())))
        .body(incoming.body)
        .into_request()
}
