//! The public catalogue comes in pages: `?limit=N`, and a `Link: <…after=…>; rel="next"`
//! to the rest while there is more. Following the links gives every event once.

use crate::helpers::{Harness, Reply};
use reqwest::StatusCode;
use std::collections::BTreeSet;

/// The `rel="next"` target of a reply's `Link` header, if any.
fn next_link(reply: &Reply) -> Option<String> {
    let header = reply.headers.get_all("link").iter().map(|v| v.to_str().expect("an ASCII Link")).collect::<Vec<_>>();
    header.iter().flat_map(|v| v.split(',')).find(|part| part.contains("rel=\"next\"")).map(|part| {
        let start = part.find('<').expect("a Link target in <>") + 1;
        let end = part.find('>').expect("a Link target in <>");
        part[start..end].trim().to_string()
    })
}

async fn page(h: &Harness, target: &str) -> Reply {
    let path = match target.strip_prefix("http://").or_else(|| target.strip_prefix("https://")) {
        Some(rest) => rest.find('/').map(|i| rest[i..].to_string()).expect("a path in the Link"),
        None => target.to_string(),
    };
    let r = h.get(&path, None).await;
    assert_eq!(r.status, StatusCode::OK, "GET {path}: {}", r.body);
    r
}

fn ids(reply: &Reply) -> Vec<String> {
    reply
        .body
        .as_array()
        .unwrap_or_else(|| panic!("a page is a list of events: {}", reply.body))
        .iter()
        .map(|e| e["id"].as_str().expect("id").to_string())
        .collect()
}

#[tokio::test]
async fn seven_events_paged_three_at_a_time_come_each_once_by_following_the_next_links() {
    let h = Harness::start().await;
    let mut created = BTreeSet::new();
    // All on the same date: the cursor must tell apart events that sort equal.
    for _ in 0..7 {
        created.insert(h.event(&[("Pista", 10_000, 10)]).await);
    }

    let mut seen: Vec<String> = Vec::new();
    let mut sizes = Vec::new();
    let mut target = Some("/api/v1/events?limit=3".to_string());
    while let Some(t) = target.take() {
        assert!(sizes.len() < 10, "the pages never end");
        let r = page(&h, &t).await;
        let got = ids(&r);
        sizes.push(got.len());
        seen.extend(got);
        target = next_link(&r);
        if let Some(next) = &target {
            assert!(next.contains("after="), "the next page's link carries a cursor: {next}");
        }
    }
    assert_eq!(sizes[0], 3, "the first page holds 3 of the 7: {sizes:?}");
    assert!(sizes.len() > 1, "and links to the rest");
    let unique: BTreeSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "no event twice: {seen:?}");
    assert_eq!(unique, created, "every event once");

    let whole = page(&h, "/api/v1/events").await;
    assert_eq!(ids(&whole).len(), 7, "the default page (50) holds them all");
    assert_eq!(next_link(&whole), None, "and says there is no more");
    let exact = page(&h, "/api/v1/events?limit=7").await;
    assert_eq!(ids(&exact).len(), 7);
    let ones = page(&h, "/api/v1/events?limit=1").await;
    assert_eq!(ids(&ones).len(), 1);
    assert!(next_link(&ones).is_some());
    h.finish().await;
}
