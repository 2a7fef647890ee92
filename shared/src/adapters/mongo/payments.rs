//! The test payment gateway (`PAYMENT_PROVIDER=test` only): pays PIX charges at once, approves cards except the test card
//! ending in 0002 (declined, the way payment providers' test cards work), and records every
//! charge and refund in `payments`, keyed by the idempotency key, so a retried charge is
//! charged once.

use super::group_insert::{GroupInsert, InsertFailure, DUPLICATE_KEY};
use super::{db_error, is_duplicate_key, refused, to_bson};
use crate::domain::pix::{ChargeStatus, Txid};
use crate::domain::{Order, PaymentMethod};
use crate::error::AppResult;
use crate::ports::{Charge, ChargeRequest, Clock, PaymentGateway, PixCharge, PixGateway, ReceivedPix};
use async_trait::async_trait;
use mongodb::bson::{doc, Document};
use mongodb::options::ReturnDocument;
use mongodb::{Collection, Database};
use std::sync::Arc;

pub const DECLINED_TEST_CARD_SUFFIX: &str = "0002";

pub struct TestPaymentGateway {
    payments: Collection<Document>,
    /// Card charges are inserts keyed by the idempotency key, so the consumer's many orders
    /// at once share `insertMany` commands (`group_insert`); a duplicate key is a charge
    /// made before, read back for its first outcome.
    new_charges: GroupInsert<Document>,
    clock: Arc<dyn Clock>,
}

impl TestPaymentGateway {
    pub fn new(db: &Database, clock: Arc<dyn Clock>) -> Self {
        TestPaymentGateway {
            payments: db.collection("payments"),
            new_charges: GroupInsert::new(db.collection("payments")),
            clock,
        }
    }

    /// The charge stored under `key`: this one if it is the first, else the first one's.
    async fn first_charge(&self, key: &str, charge: Document) -> AppResult<Document> {
        match self.new_charges.insert(charge.clone()).await {
            Ok(()) => return Ok(charge),
            Err(InsertFailure::Refused { code: DUPLICATE_KEY, .. }) => {}
            Err(InsertFailure::Command(e)) if is_duplicate_key(&e) => {}
            Err(InsertFailure::Command(e)) => return Err(db_error("charging")(e)),
            Err(InsertFailure::Refused { code, message }) => return Err(refused("charging", code, &message)),
        }
        let stored = self.payments.find_one(doc! {"_id": key}).await.map_err(db_error("reading a charge"))?;
        Ok(stored.unwrap_or(charge))
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
        let charge = doc! {
            "_id": idempotency_key,
            "order_id": order.id.as_str(),
            "amount_cents": order.total_cents,
            "outcome": outcome,
            "transaction_id": format!("tx_{}", crate::domain::ids::new_hex_id()),
            "refunded": false,
            "at": to_bson(self.clock.now()),
        };
        let stored = self.first_charge(idempotency_key, charge).await?;
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

/// The test gateway's PIX: a charge is paid the moment it is created (there is no bank to
/// wait for), so the flow is the real one — charge, confirmation read back, tickets — with
/// no PSP. Charges live in `payments` under `pix:<txid>`.
#[async_trait]
impl PixGateway for TestPaymentGateway {
    async fn create_charge(&self, request: &ChargeRequest) -> AppResult<PixCharge> {
        let mut e2e = String::from("E00000000");
        e2e.push_str(&self.clock.now().format("%Y%m%d%H%M").to_string());
        e2e.push_str(&crate::domain::ids::new_hex_id()[13..]);
        let now = self.clock.now();
        let stored = self
            .payments
            .find_one_and_update(
                doc! {"_id": format!("pix:{}", request.txid)},
                doc! {"$setOnInsert": {
                    // The same shape as a card's record, so a check of money kept reads both.
                    "order_id": Txid::parse(request.txid.as_str()).map(|(_, order, _)| order.to_string()),
                    "method": "pix",
                    "outcome": "approved",
                    "amount_cents": request.amount_cents,
                    "end_to_end_id": &e2e[..32],
                    "paid_at": to_bson(now),
                    "refunded": false,
                }},
            )
            .upsert(true)
            .return_document(ReturnDocument::After)
            .await
            .map_err(db_error("creating a test PIX charge"))?
            .unwrap_or_default();
        Ok(test_charge(&request.txid, &stored))
    }

    async fn charge(&self, txid: &Txid) -> AppResult<Option<PixCharge>> {
        let found = self
            .payments
            .find_one(doc! {"_id": format!("pix:{txid}")})
            .await
            .map_err(db_error("reading a test PIX charge"))?;
        Ok(found.map(|doc| test_charge(txid, &doc)))
    }

    async fn remove_charge(&self, _txid: &Txid) -> AppResult<()> {
        Ok(()) // paid on creation: nothing is ever left to remove
    }

    async fn refund(&self, end_to_end_id: &str, amount_cents: i64) -> AppResult<()> {
        self.payments
            .update_one(
                doc! {"end_to_end_id": end_to_end_id},
                doc! {"$set": {"refunded": true, "refunded_cents": amount_cents, "refunded_at": to_bson(self.clock.now())}},
            )
            .await
            .map_err(db_error("refunding a test pix"))?;
        Ok(())
    }
}

fn test_charge(txid: &Txid, doc: &Document) -> PixCharge {
    let amount_cents = doc.get_i64("amount_cents").unwrap_or_default();
    let paid_at = doc.get_datetime("paid_at").map(|d| super::from_bson(*d)).unwrap_or_default();
    PixCharge {
        txid: txid.clone(),
        status: ChargeStatus::Completed,
        amount_cents,
        copy_and_paste: format!("00020101021226330014br.gov.bcb.pix0111test-{txid}5204000053039865802BR6304TEST"),
        received: vec![ReceivedPix {
            end_to_end_id: doc.get_str("end_to_end_id").unwrap_or_default().to_string(),
            amount_cents,
            paid_at,
        }],
    }
}
