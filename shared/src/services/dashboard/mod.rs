//! The admin's live view: sales and revenue in total, per event, per sector and per price
//! type, sales per minute and per day; where each event's stock sits; orders as CSV.
//! Figures come from aggregations over the orders, so they cannot drift from them.

pub mod export;

use crate::app::App;
use crate::domain::{Event, EventId, EventStatus, OrderStatus, PriceType};
use crate::error::{AppError, AppResult};
use crate::ports::{SalesRow, StockPlacement};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Serialize, Default, Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceTypeFigures {
    pub tickets_sold: i64,
    pub tickets_held: i64,
    pub gross_revenue_cents: i64,
}

#[derive(Serialize, Debug)]
pub struct ByPriceType {
    pub full: PriceTypeFigures,
    pub half: PriceTypeFigures,
}

#[derive(Serialize, Debug)]
pub struct SectorFigures {
    pub name: String,
    pub capacity: i64,
    pub tickets_sold: i64,
    pub tickets_held: i64,
    pub tickets_available: i64,
    pub gross_revenue_cents: i64,
    pub refunded_cents: i64,
    pub by_price_type: ByPriceType,
}

#[derive(Serialize, Debug)]
pub struct EventFigures {
    pub id: String,
    pub name: String,
    pub status: EventStatus,
    pub starts_at: DateTime<Utc>,
    pub tickets_sold: i64,
    pub tickets_held: i64,
    pub tickets_available: i64,
    pub gross_revenue_cents: i64,
    pub refunded_cents: i64,
    pub conversion: f64,
    pub sectors: Vec<SectorFigures>,
}

#[derive(Serialize, Debug, Default)]
pub struct Totals {
    pub tickets_sold: i64,
    pub tickets_held: i64,
    pub tickets_available: i64,
    pub gross_revenue_cents: i64,
    pub refunded_cents: i64,
    pub net_revenue_cents: i64,
    pub orders_reserved: i64,
    pub orders_paid: i64,
    pub conversion: f64,
}

#[derive(Serialize, Debug)]
pub struct Point {
    pub at: DateTime<Utc>,
    pub tickets: i64,
    pub revenue_cents: i64,
}

#[derive(Serialize, Debug)]
pub struct Dashboard {
    pub generated_at: DateTime<Utc>,
    pub totals: Totals,
    pub sales_per_minute: Vec<Point>,
    pub sales_per_day: Vec<Point>,
    pub events: Vec<EventFigures>,
}

fn conversion(paid: i64, reserved: i64) -> f64 {
    if reserved == 0 {
        0.0
    } else {
        ((paid as f64 / reserved as f64) * 10_000.0).round() / 10_000.0
    }
}

fn is_held(s: OrderStatus) -> bool {
    matches!(s, OrderStatus::Reserved | OrderStatus::PaymentPending)
}

pub async fn dashboard(app: &App) -> AppResult<Dashboard> {
    let now = app.clock.now();
    let events = app.events.list(&[EventStatus::Active, EventStatus::Paused, EventStatus::Cancelled]).await?;
    let ids: Vec<EventId> = events.iter().map(|e| e.id.clone()).collect();
    let (rows, stock, per_minute, per_day) = futures::try_join!(
        app.sales.rows(),
        app.inventory.stock(&ids),
        app.sales.series(now - Duration::hours(1), false),
        app.sales.series(now - Duration::days(30), true),
    )?;
    let mut by_event: HashMap<&str, Vec<&SalesRow>> = HashMap::new();
    for r in &rows {
        by_event.entry(r.event_id.as_str()).or_default().push(r);
    }
    let mut totals = Totals::default();
    let mut figures = Vec::new();
    for event in &events {
        let event_rows = by_event.get(event.id.as_str()).cloned().unwrap_or_default();
        let available =
            |sector_id: &str| stock.get(&event.id).and_then(|st| st.get(sector_id)).map(|st| st.available).unwrap_or(0);
        let sectors: Vec<SectorFigures> =
            event.sectors.iter().map(|s| sector_figures(s, &event_rows, available(&s.id))).collect();
        let orders_paid: i64 = event_rows
            .iter()
            .filter(|r| matches!(r.status, OrderStatus::Paid | OrderStatus::Refunded))
            .map(|r| r.orders)
            .sum();
        let orders_all: i64 = event_rows.iter().map(|r| r.orders).sum();
        let f = EventFigures {
            id: event.id.to_string(),
            name: event.name.clone(),
            status: event.status,
            starts_at: event.starts_at,
            tickets_sold: sectors.iter().map(|s| s.tickets_sold).sum(),
            tickets_held: sectors.iter().map(|s| s.tickets_held).sum(),
            tickets_available: sectors.iter().map(|s| s.tickets_available).sum(),
            gross_revenue_cents: sectors.iter().map(|s| s.gross_revenue_cents).sum(),
            refunded_cents: sectors.iter().map(|s| s.refunded_cents).sum(),
            conversion: conversion(orders_paid, orders_all),
            sectors,
        };
        totals.tickets_sold += f.tickets_sold;
        totals.tickets_held += f.tickets_held;
        totals.tickets_available += f.tickets_available;
        totals.gross_revenue_cents += f.gross_revenue_cents;
        totals.refunded_cents += f.refunded_cents;
        totals.orders_reserved += orders_all;
        totals.orders_paid += orders_paid;
        figures.push(f);
    }
    totals.net_revenue_cents = totals.gross_revenue_cents - totals.refunded_cents;
    totals.conversion = conversion(totals.orders_paid, totals.orders_reserved);
    let points = |v: Vec<crate::ports::SalesPoint>| {
        v.into_iter().map(|p| Point { at: p.at, tickets: p.tickets, revenue_cents: p.revenue_cents }).collect()
    };
    Ok(Dashboard {
        generated_at: now,
        totals,
        sales_per_minute: points(per_minute),
        sales_per_day: points(per_day),
        events: figures,
    })
}

/// One sector's figures from its event's sales rows.
fn sector_figures(s: &crate::domain::Sector, event_rows: &[&SalesRow], available: i64) -> SectorFigures {
    let mut by = ByPriceType { full: PriceTypeFigures::default(), half: PriceTypeFigures::default() };
    let mut refunded = 0;
    for r in event_rows.iter().filter(|r| r.sector_id == s.id) {
        let f = if r.price_type == PriceType::Half { &mut by.half } else { &mut by.full };
        match r.status {
            OrderStatus::Paid => {
                f.tickets_sold += r.tickets;
                f.gross_revenue_cents += r.amount_cents;
            }
            OrderStatus::Refunded => {
                f.gross_revenue_cents += r.amount_cents;
                refunded += r.amount_cents;
            }
            st if is_held(st) => f.tickets_held += r.tickets,
            _ => {}
        }
    }
    SectorFigures {
        name: s.name.clone(),
        capacity: s.capacity(),
        tickets_sold: by.full.tickets_sold + by.half.tickets_sold,
        tickets_held: by.full.tickets_held + by.half.tickets_held,
        tickets_available: available,
        gross_revenue_cents: by.full.gross_revenue_cents + by.half.gross_revenue_cents,
        refunded_cents: refunded,
        by_price_type: by,
    }
}

#[derive(Serialize, Debug)]
pub struct BucketView {
    pub id: String,
    pub sector: String,
    pub lot: usize,
    /// The lot's name (`Lote 2`), as the event names it now.
    pub lot_name: String,
    pub bucket: u32,
    pub available: i64,
    pub capacity: i64,
    pub half_available: i64,
    pub on_sale: bool,
    pub shard: Option<String>,
}

#[derive(Serialize, Debug)]
pub struct InventoryView {
    pub event_id: String,
    pub topology: &'static str,
    pub note: String,
    pub shards: Vec<String>,
    pub buckets: Vec<BucketView>,
}

async fn admin_event(app: &App, raw_id: &str) -> AppResult<Event> {
    let not_found = || AppError::NotFound("no such event".into());
    let id = EventId::parse(raw_id).ok_or_else(not_found)?;
    app.events.find(&id).await?.filter(|e| e.status != EventStatus::Deleted).ok_or_else(not_found)
}

/// Where an event's stock sits: every bucket, and on a sharded cluster the shard that holds it.
pub async fn inventory(app: &App, raw_id: &str) -> AppResult<InventoryView> {
    let event = admin_event(app, raw_id).await?;
    let buckets = app.inventory.buckets(&event.id).await?;
    let ids: Vec<String> = buckets.iter().map(|b| b.id.clone()).collect();
    let (topology_name, note, placement, shards) = match app.placement.of_buckets(&ids).await? {
        StockPlacement::Sharded { shards, shard_of_bucket } => {
            let note = format!("Sharded cluster through mongos: {} shard(s) hold this event's {} bucket(s).", shards.len(), buckets.len());
            ("mongos", note, shard_of_bucket, shards)
        }
        StockPlacement::SingleNode => (
            "single-node",
            "Not a sharded cluster (no mongos): every bucket lives on this one server. In production the inventory is sharded by hashed _id, and this view names each bucket's shard.".to_string(),
            HashMap::new(),
            Vec::new(),
        ),
    };
    Ok(InventoryView {
        event_id: event.id.to_string(),
        topology: topology_name,
        note,
        shards,
        buckets: buckets
            .into_iter()
            .map(|b| BucketView {
                lot_name: event
                    .sectors
                    .iter()
                    .find(|s| s.name == b.sector || s.id == b.sector)
                    .and_then(|s| s.lots.get(b.lot))
                    .map(|l| l.name.clone())
                    .unwrap_or_else(|| format!("Lote {}", b.lot + 1)),
                shard: placement.get(&b.id).cloned(),
                id: b.id,
                sector: b.sector,
                lot: b.lot,
                bucket: b.bucket,
                available: b.available,
                capacity: b.capacity,
                half_available: b.half_available.min(b.available),
                on_sale: b.on_sale,
            })
            .collect(),
    })
}
