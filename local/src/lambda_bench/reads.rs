//! The crowd on an event page: `clients` readers of `GET /events/{id}`, each asking again as
//! soon as it has its answer (closed loop), with or without `If-None-Match` (a browser
//! revalidating what it holds, as the site does).

use super::drive::{histogram, Figures};
use super::{server_commands, BoxError, Call, Target};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

pub struct Readers<'a> {
    pub clients: usize,
    pub total: u64,
    pub event: &'a str,
    /// Send back the `ETag` of the last answer (the answer is then 304 while unchanged).
    pub revalidate: bool,
}

/// Counts 200s as `ok` and 304s as `refused` (not modified).
pub async fn event_page(
    shape: &str,
    target: &Target,
    readers: &Readers<'_>,
    db: &mongodb::Database,
) -> Result<Figures, BoxError> {
    let before = server_commands(db).await;
    let next = Arc::new(AtomicU64::new(0));
    let path = format!("/api/v1/events/{}", readers.event);
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..readers.clients {
        let (target, path, next, total, revalidate) =
            (target.clone(), path.clone(), next.clone(), readers.total, readers.revalidate);
        workers.push(tokio::spawn(async move {
            let mut hist = histogram();
            let mut counts = (0u64, 0u64, 0u64);
            let mut held: Option<String> = None;
            while next.fetch_add(1, Ordering::Relaxed) < total {
                let sent = Instant::now();
                let call = Call {
                    method: "GET",
                    route: "/api/v1/events/{id}",
                    path: &path,
                    token: None,
                    body: None,
                    if_none_match: held.as_deref().filter(|_| revalidate),
                };
                let answer = target.send(&call).await;
                hist.record(sent.elapsed().as_micros().max(1) as u64).ok();
                match answer {
                    Ok(a) if a.status == 200 => {
                        counts.0 += 1;
                        held = a.etag;
                    }
                    Ok(a) if a.status == 304 => counts.1 += 1,
                    _ => counts.2 += 1,
                }
            }
            (hist, counts)
        }));
    }
    Figures::gathered(shape, workers, started, before, db).await
}
