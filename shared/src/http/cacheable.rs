//! Answers a crowd refreshes (the catalogue, an event's availability, a quote): public for a
//! second, so CloudFront answers the crowd and the origin sees about one request per second
//! per edge, and tagged with a hash of their body, so a client that already has this answer
//! is told `304 Not Modified` instead of being sent it again.

use crate::error::AppError;
use http::header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH};
use http::{HeaderValue, StatusCode};
use lambda_http::{Body, Request, Response};
use sha2::{Digest, Sha256};

/// A second fresh, then up to five more served stale while one request revalidates: the
/// availability shown may lag the truth by about a second (the reservation never does).
pub const PUBLIC_FOR_A_SECOND: &str = "public, max-age=1, stale-while-revalidate=5";

/// Marks a successful answer cacheable, with a strong `ETag` of its body; when the request's
/// `If-None-Match` already names that tag, the answer is `304 Not Modified`, without body.
/// Anything but a 200 is returned as it is.
pub fn cacheable(req: &Request, mut response: Response<Body>) -> Result<Response<Body>, AppError> {
    if response.status() != StatusCode::OK {
        return Ok(response);
    }
    let body: &[u8] = match response.body() {
        Body::Empty => &[],
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => return Ok(response),
    };
    let tag = format!("\"{}\"", hex::encode(&Sha256::digest(body)[..16]));
    let tag_header = HeaderValue::from_str(&tag).map_err(|e| AppError::internal("building an ETag", e))?;
    let cache_control = HeaderValue::from_static(PUBLIC_FOR_A_SECOND);
    if names_tag(req.headers().get_all(IF_NONE_MATCH).iter(), &tag) {
        return Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .header(ETAG, tag_header)
            .header(CACHE_CONTROL, cache_control)
            .body(Body::Empty)
            .map_err(|e| AppError::internal("building a 304", e));
    }
    response.headers_mut().insert(ETAG, tag_header);
    response.headers_mut().insert(CACHE_CONTROL, cache_control);
    Ok(response)
}

/// Problems (4xx, 5xx) on these routes say `no-store`: CloudFront would otherwise keep an error
/// it got without caching headers for its default 10 s, and a 404 just before an event opens,
/// or one 503 at the peak, would be served to everyone at that edge.
pub fn never_store_problems(mut response: Response<Body>) -> Response<Body> {
    if !matches!(response.status(), StatusCode::OK | StatusCode::NOT_MODIFIED) {
        response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// `If-None-Match` compares weakly (RFC 9110 §13.1.2): `W/"x"` names `"x"`, and `*` names
/// any current answer.
fn names_tag<'a>(headers: impl Iterator<Item = &'a HeaderValue>, tag: &str) -> bool {
    headers
        .filter_map(|h| h.to_str().ok())
        .flat_map(|listed| listed.split(','))
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: &str) -> Response<Body> {
        Response::builder().status(200).body(Body::Text(body.into())).expect("a response")
    }

    fn asking(if_none_match: Option<&str>) -> Request {
        let mut req = Request::default();
        if let Some(tags) = if_none_match {
            req.headers_mut().insert(IF_NONE_MATCH, HeaderValue::from_str(tags).expect("a header"));
        }
        req
    }

    fn tag_of(response: &Response<Body>) -> String {
        response.headers()[ETAG].to_str().expect("ascii").to_string()
    }

    #[test]
    fn an_answer_carries_a_second_of_public_caching_and_the_tag_of_its_body() {
        let first = cacheable(&asking(None), answer(r#"{"available":10}"#)).expect("cacheable");
        let same = cacheable(&asking(None), answer(r#"{"available":10}"#)).expect("cacheable");
        let changed = cacheable(&asking(None), answer(r#"{"available":9}"#)).expect("cacheable");
        assert_eq!(first.headers()[CACHE_CONTROL], PUBLIC_FOR_A_SECOND);
        assert_eq!(tag_of(&first), tag_of(&same));
        assert_ne!(tag_of(&first), tag_of(&changed));
    }

    #[test]
    fn a_client_holding_the_current_answer_is_told_not_modified_without_a_body() {
        let tag = tag_of(&cacheable(&asking(None), answer("{}")).expect("cacheable"));
        for held in [tag.clone(), format!("W/{tag}"), format!("\"other\", {tag}"), "*".to_string()] {
            let again = cacheable(&asking(Some(&held)), answer("{}")).expect("cacheable");
            assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{held}");
            assert!(matches!(again.body(), Body::Empty));
            assert_eq!(tag_of(&again), tag);
        }
    }

    #[test]
    fn a_client_holding_an_older_answer_gets_the_new_one() {
        let again = cacheable(&asking(Some("\"0123\"")), answer("{}")).expect("cacheable");
        assert_eq!(again.status(), StatusCode::OK);
    }

    #[test]
    fn answers_and_304s_keep_their_caching() {
        let full = cacheable(&asking(None), answer("{}")).expect("cacheable");
        let tag = tag_of(&full);
        let not_modified = cacheable(&asking(Some(&tag)), answer("{}")).expect("cacheable");
        for kept in [never_store_problems(full), never_store_problems(not_modified)] {
            assert_eq!(kept.headers()[CACHE_CONTROL], PUBLIC_FOR_A_SECOND);
        }
    }

    #[test]
    fn problems_are_never_stored() {
        let missing = Response::builder().status(404).body(Body::Text("{}".into())).expect("a response");
        let answered = never_store_problems(cacheable(&asking(Some("*")), missing).expect("as it was"));
        assert_eq!(answered.status(), StatusCode::NOT_FOUND);
        assert_eq!(answered.headers()[CACHE_CONTROL], "no-store");
        assert!(answered.headers().get(ETAG).is_none());
    }
}
