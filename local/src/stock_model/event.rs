//! The event every case creates, and the edit bodies made from an admin's view of it.

use super::{MAX_PER_BUYER, SECTORS};
use serde_json::{json, Value};

/// When Pista's first lot ends, after the case starts.
pub const LOT_ENDS_AFTER_MINUTES: i64 = 30;

/// The event every case creates: two sectors, one with two lots, every lot in 3 buckets (so
/// that reservations gather across buckets), little stock (sell-outs happen), 4 per buyer.
/// Pista's first lot ends `LOT_ENDS_AFTER_MINUTES` after `now`, so that a few expiry jumps of
/// the clock roll its unsold tickets over to the second lot in the middle of a case: the
/// roll-over, too, runs interleaved with everything else.
pub fn event_body(now: chrono::DateTime<chrono::Utc>) -> Value {
    let first_lot_ends = (now + chrono::Duration::minutes(LOT_ENDS_AFTER_MINUTES)).to_rfc3339();
    json!({
        "name": "Estoque à prova", "venue": "Arena", "starts_at": "2035-01-01T20:00:00Z",
        "max_per_buyer": MAX_PER_BUYER, "buckets": 3,
        "sectors": [
            {"name": SECTORS[0], "price_cents": 10_000, "capacity": 16, "lots": [
                {"name": "1º lote", "price_cents": 10_000, "quantity": 6, "ends_at": first_lot_ends},
                {"name": "2º lote", "price_cents": 14_000, "quantity": 10},
            ]},
            {"name": SECTORS[1], "price_cents": 30_000, "capacity": 6},
        ],
    })
}

/// The `EventInput` that reproduces an admin event view as it is (sector ids kept).
pub fn input_from_view(view: &Value) -> Value {
    let sectors: Vec<Value> = view["sectors"]
        .as_array()
        .map(|a| a.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|s| {
            let lots: Vec<Value> = s["lots"]
                .as_array()
                .map(|a| a.as_slice())
                .unwrap_or_default()
                .iter()
                .map(|l| {
                    json!({"name": l["name"], "price_cents": l["price_cents"], "quantity": l["quantity"], "ends_at": l["ends_at"]})
                })
                .collect();
            let price = lots.first().map(|l| l["price_cents"].clone()).unwrap_or(Value::Null);
            json!({"id": s["id"], "name": s["name"], "price_cents": price, "capacity": s["capacity"], "lots": lots})
        })
        .collect();
    let mut input = json!({
        "name": view["name"], "venue": view["venue"], "starts_at": view["starts_at"],
        "description": view["description"], "image_url": view["image_url"],
        "half_price_share_percent": view["half_price_share_percent"],
        "max_per_order": view["max_per_order"], "max_per_buyer": view["max_per_buyer"],
        "sectors": sectors,
    });
    // Newer fields of the input, sent only when the view has them set.
    for field in ["sales_end_at"] {
        if !view[field].is_null() {
            input[field] = view[field].clone();
        }
    }
    input
}

/// Changes one lot's quantity in an edit body by `delta` (never below 1), the sector's
/// capacity with it. `false` when the body has no such sector.
pub fn change_lot(input: &mut Value, sector: &str, lot: usize, delta: i64) -> bool {
    let Some(s) = input["sectors"].as_array_mut().and_then(|a| a.iter_mut().find(|s| s["name"] == sector)) else {
        return false;
    };
    let Some(lots) = s["lots"].as_array_mut() else { return false };
    if lots.is_empty() {
        return false;
    }
    let i = lot % lots.len();
    let q = lots[i]["quantity"].as_i64().unwrap_or(1);
    lots[i]["quantity"] = json!((q + delta).max(1));
    let capacity: i64 = lots.iter().map(|l| l["quantity"].as_i64().unwrap_or(0)).sum();
    s["capacity"] = json!(capacity);
    true
}

/// The `If-Match` value for an event view's `version` (`None` while views have none).
pub fn if_match(view: &Value) -> Option<String> {
    match &view["version"] {
        Value::Number(n) => Some(format!("\"{n}\"")),
        Value::String(s) if s.starts_with('"') || s.starts_with("W/") => Some(s.clone()),
        Value::String(s) => Some(format!("\"{s}\"")),
        _ => None,
    }
}
