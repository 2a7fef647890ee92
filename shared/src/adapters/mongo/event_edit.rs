//! An edit in progress, as recorded on its event (`pending_edit`): its key, its plan and
//! the event as it will be, so that the scheduled function can finish an edit whose
//! process died.

use super::events::EventDoc;
use super::{from_bson, to_bson};
use crate::domain::{Adjustment, Bucket, ResizePlan};
use crate::error::{AppError, AppResult};
use crate::ports::EventEdit;
use mongodb::bson::DateTime as BsonDateTime;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone)]
struct AdjustmentDoc {
    bucket: String,
    delta: i64,
    half_delta: i64,
}

#[derive(Serialize, Deserialize, Clone)]
struct NewBucketDoc {
    id: String,
    sector_id: String,
    sector: String,
    lot: i32,
    bucket: i32,
    capacity: i64,
    half_capacity: i64,
    price_cents: i64,
}

#[derive(Serialize, Deserialize, Clone)]
pub(super) struct EditDoc {
    key: String,
    base_version: i64,
    started_at: BsonDateTime,
    adjustments: Vec<AdjustmentDoc>,
    new_buckets: Vec<NewBucketDoc>,
    next: Box<EventDoc>,
}

impl From<&EventEdit> for EditDoc {
    fn from(e: &EventEdit) -> Self {
        EditDoc {
            key: e.key.clone(),
            base_version: e.base_version,
            started_at: to_bson(e.started_at),
            adjustments: e
                .plan
                .adjustments
                .iter()
                .map(|a| AdjustmentDoc { bucket: a.bucket.clone(), delta: a.delta, half_delta: a.half_delta })
                .collect(),
            new_buckets: e
                .plan
                .new_buckets
                .iter()
                .map(|b| NewBucketDoc {
                    id: b.id.clone(),
                    sector_id: b.sector_id.clone(),
                    sector: b.sector.clone(),
                    lot: b.lot as i32,
                    bucket: b.bucket as i32,
                    capacity: b.capacity,
                    half_capacity: b.half_capacity,
                    price_cents: b.price_cents,
                })
                .collect(),
            next: Box::new(EventDoc::from(&e.next)),
        }
    }
}

impl EditDoc {
    pub(super) fn into_domain(self) -> AppResult<EventEdit> {
        let next = self.next.into_domain()?;
        let new_buckets = self
            .new_buckets
            .into_iter()
            .map(|b| Bucket {
                id: b.id,
                sector_id: b.sector_id,
                sector: b.sector,
                lot: b.lot.max(0) as usize,
                bucket: b.bucket.max(0) as u32,
                available: b.capacity,
                capacity: b.capacity,
                half_available: b.half_capacity,
                half_capacity: b.half_capacity,
                price_cents: b.price_cents,
                on_sale: next.on_sale(),
                pending: 0,
                half_pending: 0,
            })
            .collect();
        if self.key.is_empty() {
            return Err(AppError::Internal(format!("event {} has an edit without a key", next.id)));
        }
        Ok(EventEdit {
            key: self.key,
            base_version: self.base_version,
            started_at: from_bson(self.started_at),
            plan: ResizePlan {
                adjustments: self
                    .adjustments
                    .into_iter()
                    .map(|a| Adjustment { bucket: a.bucket, delta: a.delta, half_delta: a.half_delta })
                    .collect(),
                new_buckets,
            },
            next,
        })
    }
}
