//! Orders as their buyer reads them: the view the API answers with (the order, its payment and
//! its event's facts), and the caller's own orders — only ever the caller's.

use crate::app::App;
use crate::auth::Caller;
use crate::domain::{Order, OrderId, OrderStatus, PaymentMethod, PriceType};
use crate::error::{AppError, AppResult};
use crate::services::event_facts::{fill, filled, AboutAnEvent, EventFacts};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Serialize, Debug, Clone)]
pub struct PaymentView {
    pub method: PaymentMethod,
    pub pix_code: Option<String>,
    pub card_last4: Option<String>,
    pub declined_reason: Option<String>,
    /// The PIX charge this payment waits on (its txid at the PSP).
    pub pix_txid: Option<String>,
}

#[derive(Serialize, Debug, Clone)]
pub struct OrderView {
    pub id: String,
    pub status: OrderStatus,
    pub event_id: String,
    pub event_name: String,
    pub sector: String,
    pub lot: String,
    pub price_type: PriceType,
    pub quantity: i64,
    pub unit_price_cents: i64,
    pub total_cents: i64,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub payment: Option<PaymentView>,
    pub paid_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub expired_at: Option<DateTime<Utc>>,
    pub refunded_at: Option<DateTime<Utc>>,
    /// How this order can be paid here (`pix`, and `card` where cards are offered).
    pub payment_methods: &'static [&'static str],
    /// When and where, and whether the event still happens (read when the order is shown).
    #[serde(flatten)]
    pub event: EventFacts,
}

impl AboutAnEvent for OrderView {
    fn event_id(&self) -> &str {
        &self.event_id
    }
    fn set_event_facts(&mut self, facts: EventFacts) {
        self.event = facts;
    }
}

impl OrderView {
    pub fn of(app: &App, o: &Order) -> Self {
        OrderView {
            payment_methods: if app.config.payments.offers_cards() { &["pix", "card"] } else { &["pix"] },
            id: o.id.to_string(),
            status: o.status,
            event_id: o.event_id.to_string(),
            event_name: o.event_name.clone(),
            sector: o.sector.clone(),
            lot: o.lot.clone(),
            price_type: o.price_type,
            quantity: o.quantity,
            unit_price_cents: o.unit_price_cents,
            total_cents: o.total_cents,
            created_at: o.created_at,
            expires_at: o.expires_at,
            payment: o.payment.as_ref().map(|p| PaymentView {
                method: p.method,
                pix_code: p.pix_code.clone(),
                card_last4: p.card_last4.clone(),
                declined_reason: p.declined_reason.clone(),
                pix_txid: p.pix_txid.clone(),
            }),
            paid_at: o.paid_at,
            cancelled_at: o.cancelled_at,
            expired_at: o.expired_at,
            refunded_at: o.refunded_at,
            event: EventFacts::default(),
        }
    }

    /// The view of `order` with its event's facts.
    pub async fn shown(app: &App, order: &Order) -> Self {
        filled(app, OrderView::of(app, order)).await
    }
}

pub const ORDERS_PAGE: i64 = 100;

pub async fn list_mine(app: &App, caller: &Caller) -> AppResult<Vec<OrderView>> {
    let orders = app.orders.list_for_user(&caller.user_id, ORDERS_PAGE).await?;
    let mut views: Vec<OrderView> = orders.iter().map(|o| OrderView::of(app, o)).collect();
    fill(app, &mut views).await;
    Ok(views)
}

/// One of the caller's orders; another buyer's order is indistinguishable from none.
pub async fn find_mine(app: &App, caller: &Caller, raw_id: &str) -> AppResult<Order> {
    let not_found = || AppError::NotFound("no such order".into());
    let id = OrderId::parse(raw_id).ok_or_else(not_found)?;
    app.orders.find_for_user(&caller.user_id, &id).await?.ok_or_else(not_found)
}

pub async fn get_mine(app: &App, caller: &Caller, raw_id: &str) -> AppResult<OrderView> {
    Ok(OrderView::shown(app, &find_mine(app, caller, raw_id).await?).await)
}
