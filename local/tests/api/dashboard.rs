//! The admins' dashboard, the inventory view and the orders CSV, through the local router on
//! the real server and broker: figures must equal a direct count of the orders.

use crate::helpers::Harness;
use futures::TryStreamExt;
use mongodb::bson::{doc, Document};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashMap;

// ---------------------------------------------------------------------------------------
// Helpers of this file.
// ---------------------------------------------------------------------------------------

fn id_of(reply: &crate::helpers::Reply) -> String {
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body["id"].as_str().expect("id").to_string()
}

async fn all_orders(h: &Harness) -> Vec<Document> {
    let stores = bilheteria::adapters::mongo::MongoStores::connect(&h.config).await.expect("db");
    let cursor = stores.database().collection::<Document>("orders").find(doc! {}).await.expect("find");
    cursor.try_collect().await.expect("orders")
}

fn int(d: &Document, k: &str) -> i64 {
    d.get_i64(k).or_else(|_| d.get_i32(k).map(i64::from)).unwrap_or_else(|_| panic!("no {k} in {d}"))
}

/// What the dashboard should say about a set of orders, counted by hand.
#[derive(Default, Debug, PartialEq, Clone, Copy)]
struct Count {
    sold: i64,
    held: i64,
    gross: i64,
    refunded: i64,
    orders: i64,
    converted: i64,
}

impl Count {
    fn add(&mut self, o: &Document) {
        let (q, total) = (int(o, "quantity"), int(o, "total_cents"));
        self.orders += 1;
        match o.get_str("status").expect("status") {
            "paid" => {
                self.sold += q;
                self.gross += total;
                self.converted += 1;
            }
            "refunded" => {
                self.gross += total;
                self.refunded += total;
                // A refunded order was paid: it converted.
                self.converted += 1;
            }
            "reserved" | "payment_pending" => self.held += q,
            _ => {}
        }
    }

    fn conversion(&self) -> f64 {
        if self.orders == 0 {
            0.0
        } else {
            self.converted as f64 / self.orders as f64
        }
    }
}

fn n(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

fn close(a: &Value, b: f64) -> bool {
    (a.as_f64().expect("a number") - b).abs() < 0.001
}

// ---------------------------------------------------------------------------------------
// The dashboard.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn after_a_mixed_run_the_dashboard_equals_a_direct_count_of_the_orders() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let show = h.event(&[("Pista", 10_000, 50), ("VIP", 30_001, 20)]).await;
    let other = h.event(&[("Pista", 5_000, 10)]).await;
    let _untouched = h.event(&[("Arquibancada", 7_000, 30)]).await;
    let b: Vec<String> = futures::future::join_all((0..7).map(|_| h.buyer())).await;

    // Paid, full and half, in both sectors.
    let paid = [
        (0, &show, "Pista", "full", 2),
        (1, &show, "Pista", "half", 3),
        (6, &show, "VIP", "full", 2),
        (2, &show, "VIP", "half", 1),
        (0, &other, "Pista", "full", 1),
    ];
    for (who, event, sector, pt, q) in paid {
        let id = id_of(&h.reserve(&b[who], event, sector, pt, q).await);
        let pay = h.post(&format!("/api/v1/orders/{id}/pay"), Some(&b[who]), json!({"method": "pix"})).await;
        assert_eq!(pay.status, StatusCode::ACCEPTED, "{}", pay.body);
        h.settle_payment(&id).await;
        assert_eq!(h.order(&b[who], &id).await["status"], "paid");
    }
    // One paid and then refunded by its buyer.
    let refunded = id_of(&h.reserve(&b[2], &show, "VIP", "full", 1).await);
    let pay = h.post(&format!("/api/v1/orders/{refunded}/pay"), Some(&b[2]), json!({"method": "pix"})).await;
    assert_eq!(pay.status, StatusCode::ACCEPTED, "{}", pay.body);
    h.settle_payment(&refunded).await;
    assert_eq!(h.order(&b[2], &refunded).await["status"], "paid");
    let r = h.post(&format!("/api/v1/orders/{refunded}/refund"), Some(&b[2]), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Held: reserved, and waiting for its payment.
    id_of(&h.reserve(&b[3], &show, "VIP", "half", 2).await);
    id_of(&h.reserve(&b[1], &other, "Pista", "half", 1).await);
    let pending = id_of(&h.reserve(&b[4], &show, "Pista", "full", 1).await);
    let pay = h.post(&format!("/api/v1/orders/{pending}/pay"), Some(&b[4]), json!({"method": "pix"})).await;
    assert_eq!(pay.status, StatusCode::ACCEPTED);
    // Cancelled.
    for (who, pt) in [(5, "half"), (5, "full")] {
        let id = id_of(&h.reserve(&b[who], &show, "Pista", pt, 2).await);
        let c = h.post(&format!("/api/v1/orders/{id}/cancel"), Some(&b[who]), json!({})).await;
        assert_eq!(c.status, StatusCode::OK);
    }

    let dash = h.get("/api/v1/admin/dashboard", Some(&admin)).await;
    assert_eq!(dash.status, StatusCode::OK, "{}", dash.body);
    let orders = all_orders(&h).await;
    assert_eq!(orders.len(), 11);

    // Per event, per sector, per price type, from the orders themselves.
    let mut per_event: HashMap<String, Count> = HashMap::new();
    let mut per_sector: HashMap<(String, String), Count> = HashMap::new();
    let mut per_type: HashMap<(String, String, String), Count> = HashMap::new();
    let mut all = Count::default();
    for o in &orders {
        let event = o.get_str("event_id").expect("event").to_string();
        let sector = o.get_str("sector").expect("sector").to_string();
        let pt = o.get_str("price_type").expect("type").to_string();
        per_event.entry(event.clone()).or_default().add(o);
        per_sector.entry((event.clone(), sector.clone())).or_default().add(o);
        per_type.entry((event, sector, pt)).or_default().add(o);
        all.add(o);
    }

    let events = dash.body["events"].as_array().expect("events");
    assert_eq!(events.len(), 3, "every event, even one without orders");
    let mut available_total = 0;
    for e in events {
        let id = e["id"].as_str().expect("id").to_string();
        let want = per_event.get(&id).copied().unwrap_or_default();
        let ctx = format!("event {}", e["name"]);
        assert_eq!(n(&e["tickets_sold"]), want.sold, "{ctx}: sold");
        assert_eq!(n(&e["tickets_held"]), want.held, "{ctx}: held");
        assert_eq!(n(&e["gross_revenue_cents"]), want.gross, "{ctx}: gross");
        assert_eq!(n(&e["refunded_cents"]), want.refunded, "{ctx}: refunds");
        assert!(
            close(&e["conversion"], want.conversion()),
            "{ctx}: conversion {} vs {}",
            e["conversion"],
            want.conversion()
        );
        let view = h.get(&format!("/api/v1/events/{id}"), None).await.body;
        let mut event_available = 0;
        for s in e["sectors"].as_array().expect("sectors") {
            let name = s["name"].as_str().expect("name").to_string();
            let want = per_sector.get(&(id.clone(), name.clone())).copied().unwrap_or_default();
            let ctx = format!("{ctx} sector {name}");
            assert_eq!(n(&s["tickets_sold"]), want.sold, "{ctx}: sold");
            assert_eq!(n(&s["tickets_held"]), want.held, "{ctx}: held");
            assert_eq!(n(&s["gross_revenue_cents"]), want.gross, "{ctx}: gross");
            let shown = view["sectors"]
                .as_array()
                .expect("sectors")
                .iter()
                .find(|v| v["name"] == name.as_str())
                .expect("sector");
            assert_eq!(s["tickets_available"], shown["available"], "{ctx}: available as the event view says");
            assert_eq!(s["capacity"], shown["capacity"], "{ctx}: capacity");
            assert_eq!(
                n(&s["capacity"]),
                n(&s["tickets_available"]) + want.sold + want.held,
                "{ctx}: capacity = available + sold + held"
            );
            event_available += n(&s["tickets_available"]);
            for pt in ["full", "half"] {
                let want = per_type.get(&(id.clone(), name.clone(), pt.to_string())).copied().unwrap_or_default();
                let got = &s["by_price_type"][pt];
                assert_eq!(n(&got["tickets_sold"]), want.sold, "{ctx} {pt}: sold");
                assert_eq!(n(&got["tickets_held"]), want.held, "{ctx} {pt}: held");
                assert_eq!(n(&got["gross_revenue_cents"]), want.gross, "{ctx} {pt}: gross");
            }
        }
        assert_eq!(n(&e["tickets_available"]), event_available, "{ctx}: available");
        available_total += event_available;
    }

    let t = &dash.body["totals"];
    assert_eq!(n(&t["tickets_sold"]), all.sold);
    assert_eq!(n(&t["tickets_held"]), all.held);
    assert_eq!(n(&t["tickets_available"]), available_total);
    assert_eq!(n(&t["gross_revenue_cents"]), all.gross);
    assert_eq!(n(&t["refunded_cents"]), all.refunded);
    assert_eq!(n(&t["net_revenue_cents"]), all.gross - all.refunded);
    assert_eq!(n(&t["orders_reserved"]), all.orders, "every order was reserved once");
    assert_eq!(n(&t["orders_paid"]), all.converted);
    assert!(close(&t["conversion"], all.conversion()));

    // And by hand, to be sure the count above counts what it should.
    assert_eq!(all.sold, 2 + 3 + 2 + 1 + 1);
    assert_eq!(all.held, 2 + 1 + 1);
    assert_eq!(all.refunded, 30_001);
    assert_eq!(all.gross, 2 * 10_000 + 3 * 5_000 + 2 * 30_001 + 15_001 + 5_000 + 30_001);
    assert_eq!((all.orders, all.converted), (11, 6));

    // The sales series counts the tickets paid (refunded ones included, when they were paid).
    let paid_tickets: i64 =
        orders.iter().filter(|o| o.get_datetime("paid_at").is_ok()).map(|o| int(o, "quantity")).sum();
    for series in ["sales_per_minute", "sales_per_day"] {
        let points = dash.body[series].as_array().expect("series");
        assert_eq!(points.iter().map(|p| n(&p["tickets"])).sum::<i64>(), paid_tickets, "{series}");
    }
    h.finish().await;
}

#[tokio::test]
async fn the_dashboard_of_a_fresh_box_office_is_all_zeros() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let dash = h.get("/api/v1/admin/dashboard", Some(&admin)).await;
    assert_eq!(dash.status, StatusCode::OK, "{}", dash.body);
    assert_eq!(dash.body["events"], json!([]));
    assert_eq!(dash.body["totals"]["conversion"], 0.0, "0 when nothing was reserved");
    assert_eq!(dash.body["totals"]["tickets_sold"], 0);
    h.finish().await;
}

// ---------------------------------------------------------------------------------------
// Inventory and CSV.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn the_inventory_view_on_a_single_node_lists_the_buckets_that_hold_the_stock() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let event = h.event(&[("Pista", 10_000, 1_000), ("VIP", 30_000, 10)]).await;
    let buyer = h.buyer().await;
    for q in [1, 2, 3, 4] {
        id_of(&h.reserve(&buyer, &event, "Pista", "full", q).await);
    }
    id_of(&h.reserve(&buyer, &event, "VIP", "half", 2).await);

    let inv = h.get(&format!("/api/v1/admin/events/{event}/inventory"), Some(&admin)).await;
    assert_eq!(inv.status, StatusCode::OK, "{}", inv.body);
    assert_eq!(inv.body["event_id"], event.as_str());
    assert_eq!(inv.body["topology"], "single-node");
    let note = inv.body["note"].as_str().expect("note");
    assert!(note.contains("Not a sharded cluster"), "a plain note: {note}");
    let buckets = inv.body["buckets"].as_array().expect("buckets");
    let of = |s: &str| buckets.iter().filter(|b| b["sector"] == s).collect::<Vec<_>>();
    assert_eq!(of("Pista").len(), 16, "a big sector is split into sixteen buckets");
    assert!((1..=10).contains(&of("VIP").len()), "never more buckets than tickets");
    for b in buckets {
        assert_eq!(b["shard"], Value::Null, "no shards on a single node: {b}");
        assert!(n(&b["available"]) <= n(&b["capacity"]), "{b}");
    }
    for (sector, capacity) in [("Pista", 1_000), ("VIP", 10)] {
        let sum: i64 = of(sector).iter().map(|b| n(&b["available"])).sum();
        assert_eq!(sum, h.available(&event, sector).await, "{sector}: the buckets add up to the event view");
        assert_eq!(of(sector).iter().map(|b| n(&b["capacity"])).sum::<i64>(), capacity, "{sector}");
    }
    assert_eq!(h.available(&event, "Pista").await, 990);

    let unknown = h
        .get(&format!("/api/v1/admin/events/{}/inventory", bilheteria::domain::EventId::generate()), Some(&admin))
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    h.finish().await;
}

#[tokio::test]
async fn the_orders_csv_has_a_header_and_one_row_per_order() {
    let h = Harness::start().await;
    let admin = h.admin().await;
    let event = h.event(&[("Pista", 10_000, 50)]).await;
    let other = h.event(&[("Pista", 10_000, 50)]).await;
    let reg = h
        .post(
            "/api/v1/auth/register",
            None,
            json!({"name": "=HYPERLINK(\"http://evil\")", "email": "eve@example.com", "password": "Girassol-Vitrola-42",
                   "cpf": "529.982.247-25"}),
        )
        .await;
    let login = h
        .post("/api/v1/auth/login", None, json!({"email": "eve@example.com", "password": "Girassol-Vitrola-42"}))
        .await;
    assert_eq!(reg.status, StatusCode::CREATED, "{}", reg.body);
    let eve = login.body["access_token"].as_str().expect("token").to_string();
    let buyer = h.buyer().await;
    let mut ids = Vec::new();
    ids.push(id_of(&h.reserve(&buyer, &event, "Pista", "full", 2).await));
    let paid = id_of(&h.reserve(&buyer, &event, "Pista", "half", 1).await);
    let pay = h.post(&format!("/api/v1/orders/{paid}/pay"), Some(&buyer), json!({"method": "pix"})).await;
    assert_eq!(pay.status, StatusCode::ACCEPTED, "{}", pay.body);
    h.settle_payment(&paid).await;
    assert_eq!(h.order(&buyer, &paid).await["status"], "paid");
    ids.push(paid);
    let cancelled = id_of(&h.reserve(&buyer, &event, "Pista", "full", 1).await);
    assert_eq!(
        h.post(&format!("/api/v1/orders/{cancelled}/cancel"), Some(&buyer), json!({})).await.status,
        StatusCode::OK
    );
    ids.push(cancelled);
    ids.push(id_of(&h.reserve(&eve, &event, "Pista", "full", 1).await));
    id_of(&h.reserve(&buyer, &other, "Pista", "full", 1).await);

    let csv = h.get(&format!("/api/v1/admin/events/{event}/orders.csv?format=raw"), Some(&admin)).await;
    assert_eq!(csv.status, StatusCode::OK);
    let content_type = csv.headers["content-type"].to_str().expect("content-type");
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let text = csv.body.as_str().expect("text");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("order_id,status,"), "a header: {}", lines[0]);
    assert_eq!(lines.len(), 1 + ids.len(), "one row per order of this event (all statuses): {text}");
    for id in &ids {
        assert_eq!(lines.iter().filter(|l| l.contains(id.as_str())).count(), 1, "order {id}");
    }
    let columns = lines[0].split(',').count();
    let status_of =
        |id: &str| lines.iter().find(|l| l.contains(id)).expect("row").split(',').nth(1).expect("status").to_string();
    assert_eq!(status_of(&ids[1]), "\"paid\"");
    assert_eq!(status_of(&ids[2]), "\"cancelled\"");
    for line in &lines[1..] {
        if !line.contains("HYPERLINK") {
            assert_eq!(line.split(',').count(), columns, "{line}");
        }
    }
    assert!(text.contains("\"'=HYPERLINK("), "a formula in a buyer's name is neutralised: {text}");
    assert!(!text.contains(",\"=HYPERLINK"), "{text}");
    h.finish().await;
}

#[tokio::test]
async fn the_dashboard_inventory_and_csv_are_401_without_a_token_and_403_for_a_buyer() {
    let h = Harness::start().await;
    let event = h.event(&[("Pista", 10_000, 10)]).await;
    let buyer = h.buyer().await;
    for path in [
        "/api/v1/admin/dashboard".to_string(),
        format!("/api/v1/admin/events/{event}/inventory"),
        format!("/api/v1/admin/events/{event}/orders.csv"),
    ] {
        let anonymous = h.call(Method::GET, &path, None, None).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(anonymous.headers["content-type"], "application/problem+json");
        let as_buyer = h.call(Method::GET, &path, Some(&buyer), None).await;
        assert_eq!(as_buyer.status, StatusCode::FORBIDDEN, "{path}");
        assert!(as_buyer.body.get("events").is_none() && as_buyer.body.get("buckets").is_none());
    }
    h.finish().await;
}
