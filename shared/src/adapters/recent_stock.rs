//! A warm instance's copy of events' availability for the catalogue (`Availability`), kept
//! `AVAILABILITY_CACHE_MS` (a second by default). Requests for one event that arrive while
//! its copy is being read wait for that read instead of sending their own, so an instance
//! serving many requests at once (Managed Instances, the local router) still reads an
//! event's buckets about once a second. The shown availability may lag by that much; the
//! reservation's conditional take stays the only truth.

use crate::domain::EventId;
use crate::error::{AppError, AppResult};
use crate::ports::{Availability, Inventory, StockBySector};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

/// A bound on memory: a process showing more events than this starts over.
const MAX_ENTRIES: usize = 10_000;

/// One read's outcome, shared by everyone who waited for it: a failed read answers all its
/// waiters at once (they do not each retry in turn, a timeout apiece, during an outage), and
/// its slot is dropped so that the next ask reads again.
type Slot = Arc<OnceCell<Result<StockBySector, Arc<AppError>>>>;

/// The stock as it is now: the inventory read on every ask.
pub struct CurrentStock(pub Arc<dyn Inventory>);

#[async_trait]
impl Availability for CurrentStock {
    async fn stock(&self, events: &[EventId]) -> AppResult<HashMap<EventId, StockBySector>> {
        self.0.stock(events).await
    }
}

pub struct RecentStock {
    inner: Arc<dyn Availability>,
    fresh_for: Duration,
    slots: Mutex<HashMap<EventId, (Instant, Slot)>>,
}

impl RecentStock {
    pub fn new(inner: Arc<dyn Availability>, fresh_for: Duration) -> Self {
        RecentStock { inner, fresh_for, slots: Mutex::new(HashMap::new()) }
    }

    /// The event's slot for this moment: the current one while it is fresh, else a new one
    /// (an empty slot is filled by whoever asks first; the others wait for it).
    fn slot(&self, id: &EventId) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((at, slot)) = slots.get(id) {
            if at.elapsed() < self.fresh_for {
                return slot.clone();
            }
        }
        if slots.len() >= MAX_ENTRIES {
            slots.clear();
        }
        let slot = Slot::default();
        slots.insert(id.clone(), (Instant::now(), slot.clone()));
        slot
    }

    async fn one(&self, id: &EventId) -> AppResult<StockBySector> {
        let slot = self.slot(id);
        let outcome = slot
            .get_or_init(|| async {
                let read = self.inner.stock(std::slice::from_ref(id)).await;
                read.map(|mut by_event| by_event.remove(id).unwrap_or_default()).map_err(Arc::new)
            })
            .await;
        match outcome {
            Ok(stock) => Ok(stock.clone()),
            Err(failure) => {
                self.drop_slot(id, &slot);
                Err(shared_failure(failure))
            }
        }
    }

    /// Forgets the event's slot if it is still this one (a newer read may have replaced it).
    fn drop_slot(&self, id: &EventId, slot: &Slot) {
        let mut slots = self.slots.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if slots.get(id).is_some_and(|(_, current)| Arc::ptr_eq(current, slot)) {
            slots.remove(id);
        }
    }
}

/// The error a shared read failed with, for one of its waiters: what it was, as a failure of
/// ours (unavailable when the store was; internal otherwise).
fn shared_failure(failure: &Arc<AppError>) -> AppError {
    match failure.as_ref() {
        AppError::Unavailable(detail) => AppError::Unavailable(detail.clone()),
        other => AppError::Internal(format!("reading the availability: {other}")),
    }
}

#[async_trait]
impl Availability for RecentStock {
    async fn stock(&self, events: &[EventId]) -> AppResult<HashMap<EventId, StockBySector>> {
        if self.fresh_for.is_zero() {
            return self.inner.stock(events).await;
        }
        if let [id] = events {
            let stock = self.one(id).await?;
            return Ok(HashMap::from([(id.clone(), stock)]));
        }
        // A page of the catalogue: what is fresh from the copies, the rest in one read.
        let mut found = HashMap::new();
        let mut missing = Vec::new();
        for id in events {
            match self.slot(id).get() {
                Some(Ok(stock)) => {
                    found.insert(id.clone(), stock.clone());
                }
                _ => missing.push(id.clone()),
            }
        }
        if !missing.is_empty() {
            let read = self.inner.stock(&missing).await?;
            for id in missing {
                let stock = read.get(&id).cloned().unwrap_or_default();
                // A slot someone else filled meanwhile keeps its value (as fresh as ours).
                let _ = self.slot(&id).set(Ok(stock.clone()));
                found.insert(id, stock);
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::SectorStock;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Counts its reads, each taking a moment (as a database round trip does).
    #[derive(Default)]
    struct CountedReads(AtomicUsize);

    #[async_trait]
    impl Availability for CountedReads {
        async fn stock(&self, events: &[EventId]) -> AppResult<HashMap<EventId, StockBySector>> {
            let n = self.0.fetch_add(1, Ordering::SeqCst) as i64;
            tokio::time::sleep(Duration::from_millis(20)).await;
            let left = SectorStock { available: 100 - n, ..SectorStock::default() };
            Ok(events.iter().map(|id| (id.clone(), HashMap::from([("pista".to_string(), left.clone())]))).collect())
        }
    }

    fn event(n: u8) -> EventId {
        EventId::parse(&format!("{n:024x}")).expect("an id")
    }

    async fn ask_at_once(cache: &RecentStock, times: usize, id: &EventId) {
        let asks = (0..times).map(|_| cache.stock(std::slice::from_ref(id)));
        for answer in futures::future::join_all(asks).await {
            assert_eq!(answer.expect("stock")[id]["pista"].available, 100, "every ask sees the one read");
        }
    }

    #[tokio::test]
    async fn fifty_requests_at_once_for_one_event_make_one_read() {
        let reads = Arc::new(CountedReads::default());
        let cache = RecentStock::new(reads.clone(), Duration::from_secs(60));
        ask_at_once(&cache, 50, &event(1)).await;
        ask_at_once(&cache, 50, &event(1)).await;
        assert_eq!(reads.0.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_copy_older_than_its_time_is_read_again() {
        let reads = Arc::new(CountedReads::default());
        let cache = RecentStock::new(reads.clone(), Duration::from_millis(50));
        cache.stock(&[event(1)]).await.expect("stock");
        tokio::time::sleep(Duration::from_millis(80)).await;
        let again = cache.stock(&[event(1)]).await.expect("stock");
        assert_eq!(reads.0.load(Ordering::SeqCst), 2);
        assert_eq!(again[&event(1)]["pista"].available, 99, "the second read's figure");
    }

    #[tokio::test]
    async fn a_page_reads_only_the_events_it_has_no_copy_of() {
        let reads = Arc::new(CountedReads::default());
        let cache = RecentStock::new(reads.clone(), Duration::from_secs(60));
        cache.stock(&[event(1)]).await.expect("stock");
        let page = cache.stock(&[event(1), event(2), event(3)]).await.expect("stock");
        assert_eq!(page.len(), 3);
        assert_eq!(reads.0.load(Ordering::SeqCst), 2, "one read for the first, one for the other two");
        cache.stock(&[event(2), event(3)]).await.expect("stock");
        assert_eq!(reads.0.load(Ordering::SeqCst), 2);
    }

    /// Fails every read, slowly (a database timing out).
    #[derive(Default)]
    struct FailingReads(AtomicUsize);

    #[async_trait]
    impl Availability for FailingReads {
        async fn stock(&self, _: &[EventId]) -> AppResult<HashMap<EventId, StockBySector>> {
            self.0.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            Err(AppError::Unavailable("the database timed out".into()))
        }
    }

    #[tokio::test]
    async fn a_failed_read_answers_everyone_who_waited_for_it_and_the_next_ask_reads_again() {
        let reads = Arc::new(FailingReads::default());
        let cache = RecentStock::new(reads.clone(), Duration::from_secs(60));
        let id = event(1);
        let asks = (0..20).map(|_| cache.stock(std::slice::from_ref(&id)));
        for answer in futures::future::join_all(asks).await {
            assert!(matches!(answer, Err(AppError::Unavailable(_))));
        }
        assert_eq!(reads.0.load(Ordering::SeqCst), 1, "twenty waiters, one read");
        assert!(cache.stock(&[event(1)]).await.is_err());
        assert_eq!(reads.0.load(Ordering::SeqCst), 2, "a failure is not kept");
    }

    #[tokio::test]
    async fn without_a_lifetime_every_ask_reads() {
        let reads = Arc::new(CountedReads::default());
        let cache = RecentStock::new(reads.clone(), Duration::ZERO);
        for _ in 0..3 {
            cache.stock(&[event(1)]).await.expect("stock");
        }
        assert_eq!(reads.0.load(Ordering::SeqCst), 3);
    }
}
