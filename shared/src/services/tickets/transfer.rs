//! A buyer gives a ticket to another account, at face value (nothing is charged, nothing
//! resold): the old code is revoked and the recipient gets a new signed ticket, in one
//! conditional write on the ticket, so a transfer racing an entry or another transfer of the
//! same ticket cannot both win.

use super::{holder_of, new_code, sign, TicketView};
use crate::app::App;
use crate::auth::Caller;
use crate::domain::email::normalize_email;
use crate::domain::refusal::TicketRefusal;
use crate::domain::ticket::is_ticket_code;
use crate::domain::{Entitlement, EventStatus, PriceType, RevokedBecause, Role, Ticket, TicketState};
use crate::error::{AppError, AppResult};
use crate::ports::{AuditEntry, Handover};
use crate::services::gate::refusal_of;
use crate::services::notifications;
use chrono::Duration;
use serde::Deserialize;

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    /// The recipient's account e-mail.
    pub email: String,
    /// For a half-price ticket: the recipient's entitlement (required).
    #[serde(default)]
    pub entitlement: Option<Entitlement>,
}

pub async fn transfer(app: &App, caller: &Caller, raw_code: &str, input: TransferRequest) -> AppResult<TicketView> {
    let not_found = || AppError::NotFound("no such ticket".into());
    let code = raw_code.trim().to_ascii_uppercase();
    if !is_ticket_code(&code) {
        return Err(not_found());
    }
    let found = app.tickets.find(&code).await?.ok_or_else(not_found)?;
    // A code the caller never held is not theirs to ask about.
    let held = found.ticket.ticket.user_id == caller.user_id;
    if !found.current {
        return Err(if held || found.ticket.ticket.transferred_from.is_some() {
            refusal_of(&found)
        } else {
            not_found()
        });
    }
    if !held {
        return Err(not_found());
    }
    if found.ticket.state != TicketState::Valid {
        return Err(refusal_of(&found));
    }
    let old = &found.ticket.ticket;
    let now = app.clock.now();
    let event = app.events.find(&old.event_id).await?.ok_or_else(not_found)?;
    if event.status == EventStatus::Cancelled {
        return Err(TicketRefusal::Revoked { because: RevokedBecause::Cancelled }.into());
    }
    if now >= event.starts_at - Duration::minutes(event.transfer_closes_minutes_before) {
        return Err(TicketRefusal::TransferClosed.into());
    }
    let entitlement = match (old.price_type, input.entitlement) {
        (PriceType::Half, None) => return Err(TicketRefusal::EntitlementRequired.into()),
        (PriceType::Half, some) => some,
        (PriceType::Full, None) => None,
        (PriceType::Full, Some(_)) => {
            return Err(AppError::Unprocessable("'entitlement' is for half-price tickets only".into()))
        }
    };
    let email = normalize_email(&input.email)?;
    let recipient = app.users.find_by_email(&email).await?;
    if recipient.as_ref().is_some_and(|u| u.id == caller.user_id) {
        return Err(TicketRefusal::SelfTransfer.into());
    }
    let recipient = recipient
        .filter(|u| u.role == Role::Buyer && u.email_verified_at.is_some())
        .ok_or(TicketRefusal::RecipientUnknown)?;
    if recipient.cpf.is_none() {
        return Err(TicketRefusal::RecipientNeedsCpf.into());
    }
    let mut given = Ticket {
        code: new_code(),
        user_id: recipient.id.clone(),
        holder: holder_of(Some(&recipient)),
        entitlement,
        key_id: app.ticket_keys()?.signing_kid().to_string(),
        issued_at: now,
        transferred_from: Some(old.code.clone()),
        ..old.clone()
    };
    given.qr_payload = sign(app, &given)?;
    let handover = Handover { from_code: old.code.clone(), from_user: caller.user_id.clone(), to: given, at: now };
    let moved = match app.tickets.transfer(&handover).await? {
        Ok(moved) => moved,
        Err(Some(now_found)) => return Err(refusal_of(&now_found)),
        Err(None) => return Err(not_found()),
    };
    app.audit
        .record(AuditEntry {
            actor: caller.user_id.clone(),
            action: "ticket.transfer".into(),
            target: moved.slot.clone(),
            before: Some(serde_json::json!({"code": old.code, "holder": old.user_id.to_string(), "event_id": old.event_id.to_string()})),
            after: Some(serde_json::json!({"code": moved.ticket.code, "holder": recipient.id.to_string(), "event_id": moved.ticket.event_id.to_string()})),
            at: now,
        })
        .await?;
    notifications::ticket_transferred(app, old, &moved.ticket, &recipient.email, &recipient.name).await?;
    Ok(crate::services::event_facts::filled(app, TicketView::of(moved)).await)
}
