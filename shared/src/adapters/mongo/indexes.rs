//! The indexes the application relies on, created at cold start (idempotent: creating an
//! existing index is a no-op). `MongoCluster/setup-sharding.sh` creates the same ones.
//!
//! Every index on `orders` costs every reservation an index update, so there are few:
//! - `{user_id, created_at}`: a buyer's orders, newest first (and the shard key's prefix);
//! - `{event_id, status}`: an event's orders (dashboard, CSV, cancel, reconciler);
//! - `{status, expires_at}`: due holds (expiry), and the outbox and pending payments, which
//!   filter a status's few documents further;
//! - `{paid_at}` sparse: the sales series (only paid orders carry `paid_at`).

use crate::error::AppError;
use mongodb::bson::{doc, Document};
use mongodb::options::IndexOptions;
use mongodb::{Database, IndexModel};
use std::time::Duration;

pub const IDEMPOTENCY_TTL: Duration = Duration::from_secs(24 * 3600);

fn index(keys: Document, options: Option<IndexOptions>) -> IndexModel {
    IndexModel::builder().keys(keys).options(options).build()
}

pub async fn ensure(db: &Database) -> Result<(), AppError> {
    let unique = || Some(IndexOptions::builder().unique(true).build());
    // A TTL index on a date that is itself the moment to drop the document.
    let expire_at = || Some(IndexOptions::builder().expire_after(Duration::ZERO).build());
    let plan: Vec<(&str, Vec<IndexModel>)> = vec![
        (
            "users",
            vec![
                index(doc! {"email": 1}, unique()),
                // One account per CPF; accounts without one yet are left out (sparse).
                index(doc! {"cpf": 1}, Some(IndexOptions::builder().unique(true).sparse(true).build())),
            ],
        ),
        (
            "refresh_tokens",
            vec![
                index(doc! {"expires_at": 1}, expire_at()),
                index(doc! {"family": 1}, None),
                index(doc! {"user_id": 1}, None),
            ],
        ),
        ("revocations", vec![index(doc! {"keep_until": 1}, expire_at()), index(doc! {"at": 1}, None)]),
        ("attempts", vec![index(doc! {"forget_at": 1}, expire_at())]),
        (
            "password_resets",
            vec![
                // Kept a day past expiry, so a late click is told "expired", not "unknown".
                index(
                    doc! {"expires_at": 1},
                    Some(IndexOptions::builder().expire_after(Duration::from_secs(86_400)).build()),
                ),
                index(doc! {"user_id": 1}, None),
            ],
        ),
        ("events", vec![index(doc! {"status": 1, "starts_at": 1}, None)]),
        ("inventory", vec![index(doc! {"event_id": 1, "sector_id": 1, "lot": 1}, None)]),
        (
            "orders",
            vec![
                index(doc! {"user_id": 1, "created_at": -1}, None),
                index(doc! {"event_id": 1, "status": 1}, None),
                // The export's pages (keyset on the id within one event).
                index(doc! {"event_id": 1, "_id": 1}, None),
                index(doc! {"status": 1, "expires_at": 1}, None),
                index(doc! {"paid_at": 1}, Some(IndexOptions::builder().sparse(true).build())),
            ],
        ),
        (
            "tickets",
            vec![
                index(doc! {"order_id": 1}, None),
                // A code is one ticket's, now or before a transfer (`previous_codes`).
                index(doc! {"code": 1}, unique()),
                index(doc! {"previous_codes": 1}, None),
                index(doc! {"user_id": 1}, None),
                // The gate manifest's cursor.
                index(doc! {"event_id": 1, "changed_at": 1, "_id": 1}, None),
            ],
        ),
        ("gate_conflicts", vec![index(doc! {"event_id": 1, "second.at": -1}, None)]),
        ("pix_receipts", vec![index(doc! {"order_id": 1, "paid_at": 1}, None)]),
        ("audit_log", vec![index(doc! {"at": -1}, None)]),
        (
            "idempotency",
            vec![index(doc! {"created_at": 1}, Some(IndexOptions::builder().expire_after(IDEMPOTENCY_TTL).build()))],
        ),
    ];
    for (collection, models) in plan {
        db.collection::<Document>(collection)
            .create_indexes(models)
            .await
            .map_err(|e| AppError::internal("creating indexes", e))?;
    }
    Ok(())
}
