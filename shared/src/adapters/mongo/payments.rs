//! The local and test payment gateway: approves PIX, approves cards except the test card
//! ending in 0002 (declined, the way payment providers' test cards work), and records every
//! charge and refund in `payments`, keyed by the idempotency key, so a retried charge is
//! charged once.

use super::{db_error, to_bson};
use crate::domain::{Order, PaymentMethod};
use crate::error::AppResult;
use crate::ports::{Charge, Clock, PaymentGateway};
use async_trait::async_trait;
use mongodb::bson::{doc, Document};
use mongodb::options::ReturnDocument;
use mongodb::{Collection, Database};
use std::sync::Arc;

pub const DECLINED_TEST_CARD_SUFFIX: &str = "0002";

pub struct TestPaymentGateway {
    payments: Collection<Document>,
    clock: Arc<dyn Clock>,
}

impl TestPaymentGateway {
    pub fn new(db: &Database, clock: Arc<dyn Clock>) -> Self {
        TestPaymentGateway { payments: db.collection("payments"), clock }
    }
}

#[async_trait]
impl PaymentGateway for TestPaymentGateway {
    async fn charge(&self, order: &Order, idempotency_key: &str) -> AppResult<Charge> {
        let payment = order.payment.as_ref();
        let declined = payment.is_some_and(|p| {
            p.method == PaymentMethod::Card && p.card_last4.as_deref() == Some(DECLINED_TEST_CARD_SUFFIX)
        });
        let outcome = if declined { "declined" } else { "approved" };
        let stored = self
            .payments
            .find_one_and_update(
                doc! {"_id": idempotency_key},
                doc! {"$setOnInsert": {
                    "order_id": order.id.as_str(),
                    "amount_cents": order.total_cents,
                    "outcome": outcome,
                    "transaction_id": format!("tx_{}", crate::domain::ids::new_hex_id()),
                    "refunded": false,
                    "at": to_bson(self.clock.now()),
                }},
            )
            .upsert(true)
            .return_document(ReturnDocument::After)
            .await
            .map_err(db_error("charging"))?
            .unwrap_or_default();
        Ok(match stored.get_str("outcome").unwrap_or(outcome) {
            "declined" => Charge::Declined { reason: "card declined by the issuer (test card ending in 0002)".into() },
            _ => Charge::Approved { transaction_id: stored.get_str("transaction_id").unwrap_or_default().to_string() },
        })
    }

    async fn refund(&self, transaction_id: &str, amount_cents: i64) -> AppResult<()> {
        self.payments
            .update_one(
                doc! {"transaction_id": transaction_id},
                doc! {"$set": {"refunded": true, "refunded_cents": amount_cents, "refunded_at": to_bson(self.clock.now())}},
            )
            .await
            .map_err(db_error("refunding"))?;
        Ok(())
    }
}
