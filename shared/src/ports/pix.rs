//! The PIX side of payments, as the Central Bank's API Pix shapes it: an immediate charge
//! (`cob`) per payment attempt, read back whenever a payment is claimed, and refunds
//! (`devolucao`) per received pix.

use crate::domain::pix::{ChargeStatus, Txid};
use crate::domain::Cents;
use crate::error::AppResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// What a charge asks the payer for.
#[derive(Clone, Debug)]
pub struct ChargeRequest {
    pub txid: Txid,
    pub amount_cents: Cents,
    /// Seconds the charge can be paid for: what is left on the hold.
    pub expires_in_seconds: i64,
    /// The payer, as the bank app shows them the charge (CPF digits and name).
    pub payer_cpf: Option<String>,
    pub payer_name: String,
    /// The line the payer's bank app shows ("Bilheteria — 2 × Pista").
    pub description: String,
}

/// A pix the PSP received for a charge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedPix {
    pub end_to_end_id: String,
    pub amount_cents: Cents,
    pub paid_at: DateTime<Utc>,
}

/// A charge as the PSP has it now.
#[derive(Clone, Debug)]
pub struct PixCharge {
    pub txid: Txid,
    pub status: ChargeStatus,
    pub amount_cents: Cents,
    /// The BR Code ("copia e cola") the buyer's bank app reads, as a QR or pasted.
    pub copy_and_paste: String,
    pub received: Vec<ReceivedPix>,
}

#[async_trait]
pub trait PixGateway: Send + Sync {
    /// Creates the charge `request.txid`, or finds it if it exists (a retry), never two.
    async fn create_charge(&self, request: &ChargeRequest) -> AppResult<PixCharge>;
    /// The charge as the PSP has it now; `None` if it has none by that id.
    async fn charge(&self, txid: &Txid) -> AppResult<Option<PixCharge>>;
    /// Makes an unpaid charge unpayable (its hold ended); a paid or unknown one is left.
    async fn remove_charge(&self, txid: &Txid) -> AppResult<()>;
    /// Returns a received pix in full; idempotent per `end_to_end_id`.
    async fn refund(&self, end_to_end_id: &str, amount_cents: Cents) -> AppResult<()>;
}

/// What became of a received pix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReceiptOutcome {
    /// Seen and confirmed with the PSP; the consumer has not settled it yet.
    Pending,
    /// It paid its order.
    Paid,
    /// It arrived after the hold ended and the tickets were taken again: it paid its order.
    PaidLate,
    /// Returned to the payer (late with the stock gone, a second payment, an order already
    /// ended).
    Refunded,
    /// Its amount was not the order's: refused and returned, an operator alarmed.
    AmountMismatch,
}

impl ReceiptOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ReceiptOutcome::Pending => "pending",
            ReceiptOutcome::Paid => "paid",
            ReceiptOutcome::PaidLate => "paid_late",
            ReceiptOutcome::Refunded => "refunded",
            ReceiptOutcome::AmountMismatch => "amount_mismatch",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Pending, Self::Paid, Self::PaidLate, Self::Refunded, Self::AmountMismatch]
            .into_iter()
            .find(|o| o.as_str() == raw)
    }
}

/// A pix we received, once per `endToEndId`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    pub end_to_end_id: String,
    pub txid: String,
    pub order_id: crate::domain::OrderId,
    pub amount_cents: Cents,
    pub paid_at: DateTime<Utc>,
    pub outcome: ReceiptOutcome,
}

impl Receipt {
    /// A pix the PSP confirmed for a charge of this order, not settled yet.
    pub fn pending(txid: &Txid, order_id: &crate::domain::OrderId, pix: &ReceivedPix) -> Receipt {
        Receipt {
            end_to_end_id: pix.end_to_end_id.clone(),
            txid: txid.to_string(),
            order_id: order_id.clone(),
            amount_cents: pix.amount_cents,
            paid_at: pix.paid_at,
            outcome: ReceiptOutcome::Pending,
        }
    }
}

#[async_trait]
pub trait PixReceipts: Send + Sync {
    /// Keeps a receipt the first time its pix is seen (`false`: it was known already).
    async fn record(&self, receipt: &Receipt) -> AppResult<bool>;
    async fn find(&self, end_to_end_id: &str) -> AppResult<Option<Receipt>>;
    async fn settle(&self, end_to_end_id: &str, outcome: ReceiptOutcome, at: DateTime<Utc>) -> AppResult<()>;
    /// Receipts of one order, oldest first.
    async fn for_order(&self, order: &crate::domain::OrderId) -> AppResult<Vec<Receipt>>;
}
