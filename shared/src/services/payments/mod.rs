//! Payments by PIX through a PSP: the charge made at `pay`, the PSP's notifications, and what
//! each received pix does to its order (paid, paid late, or returned).

pub mod settle;
pub mod webhook;

use crate::app::App;
use crate::domain::pix::Txid;
use crate::domain::{Order, Payment, PaymentMethod, Refusal, User};
use crate::error::AppResult;
use crate::ports::ChargeRequest;

/// The immediate charge of this payment attempt: open for the seconds left on the hold, so
/// it cannot be paid after it; created once per attempt (a retry finds it).
pub async fn open_charge(app: &App, order: &Order, buyer: &User, attempt: i32) -> AppResult<Payment> {
    let seconds_left = (order.expires_at - app.clock.now()).num_seconds();
    if seconds_left < 1 {
        return Err(Refusal::HoldExpired.into());
    }
    let txid = Txid::for_attempt(&order.id, attempt);
    let request = ChargeRequest {
        txid: txid.clone(),
        amount_cents: order.total_cents,
        expires_in_seconds: seconds_left,
        payer_cpf: buyer.cpf.as_ref().map(|c| c.digits().to_string()),
        payer_name: buyer.name.clone(),
        description: format!("{} — {} × {}", order.event_name, order.quantity, order.sector),
    };
    let charge = app.pix.create_charge(&request).await?;
    Ok(Payment {
        method: PaymentMethod::Pix,
        pix_code: Some(charge.copy_and_paste),
        card_last4: None,
        declined_reason: None,
        transaction_id: None,
        pix_txid: Some(txid.to_string()),
        refund_pending: false,
        attempt,
    })
}

/// The PIX charge of the order's current payment attempt, if it was paid by PIX.
pub fn pix_charge_of(order: &Order) -> Option<Txid> {
    let payment = order.payment.as_ref().filter(|p| p.method == PaymentMethod::Pix)?;
    payment.pix_txid.as_deref().and_then(Txid::parse).map(|(txid, _, _)| txid)
}
