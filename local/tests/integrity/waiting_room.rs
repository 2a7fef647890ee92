//! The waiting room under races: a person joining from several tabs at once gets one place;
//! a crowd joining at once gets distinct places with no gaps; ticks running at once (the
//! schedule and a retry, two instances) admit once; and admissions racing reservations never
//! let the counter pass what the stock can serve.

use crate::helpers::Harness;
use bilheteria::services::queue;
use std::collections::HashSet;

const ROUNDS: usize = 3;

async fn queue_mode(h: &Harness, event: &str, rate: i64) {
    h.queue_mode(event, chrono::Duration::zero(), rate).await;
}

async fn join(h: &Harness, token: &str, event: &str) -> i64 {
    h.join_queue(token, event).await["place"].as_i64().expect("a place after the opening")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crowd_joining_at_once_gets_one_place_each_and_every_place_once() {
    let h = Harness::start().await;
    for round in 0..ROUNDS {
        let event = h.event(&[("Pista", 10_000, 100)]).await;
        queue_mode(&h, &event, 60).await;
        let buyers: Vec<String> = futures::future::join_all((0..60).map(|_| h.buyer())).await;
        // Each buyer joins from three tabs at the same moment.
        let joins = buyers.iter().flat_map(|b| [b, b, b]).map(|b| join(&h, b, &event));
        let places = futures::future::join_all(joins).await;
        for (i, tabs) in places.chunks(3).enumerate() {
            assert!(tabs.iter().all(|p| *p == tabs[0]), "round {round}: buyer {i}'s tabs got {tabs:?}");
        }
        let distinct: HashSet<i64> = places.chunks(3).map(|t| t[0]).collect();
        assert_eq!(distinct.len(), 60, "round {round}: one place per buyer");
        let status = h.get(&format!("/api/v1/events/{event}/queue/status"), None).await.body;
        let length = status["length"].as_i64().expect("length");
        // One instance serves its joins batch after batch, so no number is wasted here (across
        // instances a person's second tab may cost a number: a gap, never a second place).
        assert_eq!(length, 60, "round {round}: every place given once");
        assert!(distinct.iter().all(|p| (1..=60).contains(p)));
    }
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ticks_at_once_admit_once_and_never_past_the_stock() {
    let h = Harness::start().await;
    for round in 0..ROUNDS {
        let event = h.event(&[("Pista", 10_000, 25)]).await;
        queue_mode(&h, &event, 1_000_000).await;
        let buyers: Vec<String> = futures::future::join_all((0..80).map(|_| h.buyer())).await;
        futures::future::join_all(buyers.iter().map(|b| join(&h, b, &event))).await;
        h.clock.advance(chrono::Duration::seconds(1));
        let ticks = futures::future::join_all((0..6).map(|_| queue::tick::tick_all(&h.app))).await;
        let admitted: i64 = ticks.into_iter().map(|t| t.expect("tick")).sum();
        let status = h.get(&format!("/api/v1/events/{event}/queue/status"), None).await.body;
        let serving = status["serving"].as_i64().expect("serving");
        // Other rounds' rooms are ticked too; this round's counter is what counts.
        assert!(admitted >= serving, "round {round}");
        assert_eq!(serving, 25, "round {round}: 25 tickets at one per order before any order, however many ticks");
    }
    h.finish().await;
}
