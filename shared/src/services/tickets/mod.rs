//! Tickets as their holders see them: issued for a paid order (signed with the ticket key,
//! naming the buyer as holder), listed, and transferred (`transfer`).

pub mod document;
mod transfer;

pub use transfer::{transfer, TransferRequest};

use crate::app::App;
use crate::auth::Caller;
use crate::domain::ticket::HALF_PRICE_NOTICE;
use crate::domain::ticket_code::TicketClaims;
use crate::domain::{
    Entitlement, Holder, Order, OrderStatus, PriceType, StoredTicket, Ticket, TicketState, User, UserId,
};
use crate::error::AppResult;
use crate::services::event_facts::{fill, AboutAnEvent, EventFacts};
use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::Serialize;

/// A new ticket code: 128 random bits, as 32 upper-case hex digits.
pub fn new_code() -> String {
    let mut raw = [0u8; 16];
    rand::rng().fill_bytes(&mut raw);
    hex::encode_upper(raw)
}

/// The signed QR payload of `ticket` as it stands (code, holder, entitlement).
pub fn sign(app: &App, ticket: &Ticket) -> AppResult<String> {
    Ok(app.ticket_keys()?.sign(&TicketClaims {
        key_id: String::new(),
        ticket_id: ticket.code.clone(),
        event_id: ticket.event_id.clone(),
        issued_at: u32::try_from(ticket.issued_at.timestamp()).unwrap_or(0),
        price_type: ticket.price_type,
        entitlement: ticket.entitlement,
        sector: ticket.sector.clone(),
        lot: ticket.lot.clone(),
        holder_name: ticket.holder.name.clone(),
    }))
}

/// A holder as the account names them.
pub fn holder_of(user: Option<&User>) -> Holder {
    match user {
        Some(u) => Holder { name: u.name.clone(), cpf: u.cpf.clone() },
        None => Holder { name: String::new(), cpf: None },
    }
}

/// A ticket for `holder`, signed, issued now.
pub fn make(
    app: &App,
    order: &Order,
    position: i64,
    holder: Holder,
    user: UserId,
    now: DateTime<Utc>,
) -> AppResult<Ticket> {
    let mut ticket = Ticket {
        code: new_code(),
        order_id: order.id.clone(),
        user_id: user,
        event_id: order.event_id.clone(),
        sector: order.sector.clone(),
        price_type: order.price_type,
        position,
        qr_payload: String::new(),
        event_name: order.event_name.clone(),
        lot: order.lot.clone(),
        holder,
        entitlement: if order.price_type == PriceType::Half { order.entitlement } else { None },
        key_id: app.ticket_keys()?.signing_kid().to_string(),
        issued_at: now,
        transferred_from: None,
    };
    ticket.qr_payload = sign(app, &ticket)?;
    Ok(ticket)
}

/// One ticket per unit of the order, held by the buyer. Issuing is idempotent and keeps the
/// first codes: what is stored is read back.
pub async fn issue_tickets(app: &App, order: &Order) -> AppResult<Vec<Ticket>> {
    let buyer = app.users.find_by_id(&order.user_id).await?;
    let holder = holder_of(buyer.as_ref());
    let now = app.clock.now();
    let tickets = (1..=order.quantity)
        .map(|p| make(app, order, p, holder.clone(), order.user_id.clone(), now))
        .collect::<AppResult<Vec<Ticket>>>()?;
    app.tickets.issue(&tickets).await?;
    app.tickets.for_order(&order.id).await
}

#[derive(Serialize, Debug)]
pub struct HolderView {
    pub name: String,
    pub cpf_masked: Option<String>,
}

impl HolderView {
    pub fn of(holder: Holder) -> HolderView {
        HolderView { cpf_masked: holder.cpf_masked(), name: holder.name }
    }
}

#[derive(Serialize, Debug)]
pub struct TicketView {
    pub code: String,
    pub order_id: String,
    pub event_id: String,
    pub event_name: String,
    pub sector: String,
    pub lot: String,
    pub price_type: PriceType,
    pub entitlement: Option<Entitlement>,
    /// "MEIA — conferir documento" on a half-price ticket.
    pub half_price_notice: Option<&'static str>,
    pub holder: HolderView,
    /// Its place within its order (1..quantity); general admission: no seat.
    pub position: i64,
    pub qr_payload: String,
    pub key_id: String,
    pub issued_at: DateTime<Utc>,
    /// `valid`, `used` or `revoked`.
    pub state: &'static str,
    pub reason: Option<&'static str>,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub gate: Option<String>,
    /// Whether its holder may transfer it now (the event's window is checked on transfer).
    pub transferable: bool,
    pub transferred_from: Option<String>,
    /// When and where (read from the event when the ticket is looked at).
    #[serde(flatten)]
    pub event: EventFacts,
}

impl AboutAnEvent for TicketView {
    fn event_id(&self) -> &str {
        &self.event_id
    }
    fn set_event_facts(&mut self, facts: EventFacts) {
        self.event = facts;
    }
}

impl TicketView {
    pub fn of(stored: StoredTicket) -> TicketView {
        let t = stored.ticket;
        TicketView {
            half_price_notice: (t.price_type == PriceType::Half).then_some(HALF_PRICE_NOTICE),
            holder: HolderView::of(t.holder),
            state: stored.state.as_str(),
            transferable: stored.state == TicketState::Valid,
            reason: stored.state.reason(),
            checked_in_at: stored.state.entry().map(|e| e.at),
            gate: stored.state.entry().map(|e| e.gate.clone()),
            code: t.code,
            order_id: t.order_id.to_string(),
            event_id: t.event_id.to_string(),
            event_name: t.event_name,
            sector: t.sector,
            lot: t.lot,
            price_type: t.price_type,
            entitlement: t.entitlement,
            position: t.position,
            qr_payload: t.qr_payload,
            key_id: t.key_id,
            issued_at: t.issued_at,
            transferred_from: t.transferred_from,
            event: EventFacts::default(),
        }
    }
}

/// A ticket of an order that `user` still holds (not given away, not revoked).
pub fn still_held_by(stored: &StoredTicket, user: &UserId) -> bool {
    stored.ticket.user_id == *user && !matches!(stored.state, TicketState::Revoked(_))
}

/// The tickets of one of the caller's paid orders that the caller still holds.
pub async fn for_my_order(app: &App, caller: &Caller, order: &Order) -> AppResult<Vec<TicketView>> {
    if order.status != OrderStatus::Paid {
        return Ok(Vec::new());
    }
    let stored = app.tickets.states_for_order(&order.id).await?;
    let mut views: Vec<TicketView> =
        stored.into_iter().filter(|s| still_held_by(s, &caller.user_id)).map(TicketView::of).collect();
    fill(app, &mut views).await;
    Ok(views)
}

/// Every ticket the caller holds (bought or received), newest change first; revoked ones
/// are left out (a transferred ticket is the recipient's now).
pub async fn mine(app: &App, caller: &Caller) -> AppResult<Vec<TicketView>> {
    let stored = app.tickets.held_by(&caller.user_id).await?;
    let mut views: Vec<TicketView> =
        stored.into_iter().filter(|s| !matches!(s.state, TicketState::Revoked(_))).map(TicketView::of).collect();
    fill(app, &mut views).await;
    Ok(views)
}
