use super::*;
use crate::domain::event::{EventStatus, Lot, Sector};
use chrono::Utc;

fn event(sectors: Vec<(&str, Vec<i64>)>, buckets: u32) -> Event {
    let now = Utc::now();
    Event {
        id: EventId::generate(),
        name: "Show".into(),
        description: String::new(),
        venue: "Arena".into(),
        time_zone: "America/Sao_Paulo".into(),
        starts_at: now,
        sales_end_at: None,
        image_url: None,
        status: EventStatus::Active,
        version: 1,
        half_price_share_percent: 40,
        max_per_order: 6,
        max_per_buyer: None,
        transfer_closes_minutes_before: 120,
        buckets,
        sectors: sectors
            .into_iter()
            .map(|(name, lots)| Sector {
                id: format!("id-{name}"),
                name: name.into(),
                lots: lots
                    .into_iter()
                    .enumerate()
                    .map(|(i, q)| Lot { name: format!("{i}"), price_cents: 100, quantity: q, ends_at: None, buckets })
                    .collect(),
            })
            .collect(),
        created_at: now,
        updated_at: now,
    }
}

fn total(buckets: &[Bucket], f: fn(&Bucket) -> i64) -> i64 {
    buckets.iter().map(f).sum()
}

#[test]
fn a_lot_is_split_evenly_over_its_buckets() {
    assert_eq!(split_evenly(10, 3), vec![4, 3, 3]);
    assert_eq!(split_evenly(1000, 16).iter().sum::<i64>(), 1000);
    assert_eq!(split_evenly(5, 1), vec![5]);
}

#[test]
fn the_layout_holds_every_ticket_and_exactly_the_half_price_share() {
    let e = event(vec![("Pista", vec![1_001, 333]), ("VIP", vec![7])], 4);
    let buckets = layout(&e);
    assert_eq!(total(&buckets, |b| b.capacity), 1_341);
    let pista: Vec<Bucket> = buckets.iter().filter(|b| b.sector == "Pista").cloned().collect();
    assert_eq!(total(&pista, |b| b.half_capacity), 1_334 * 40 / 100);
    assert!(buckets.iter().all(|b| b.half_capacity <= b.capacity && b.available == b.capacity));
    assert_eq!(buckets[0].id, format!("{}/id-Pista/0/0", e.id));
}

#[test]
fn raising_a_lot_adds_the_difference_once_and_moves_the_half_share_with_it() {
    let current = event(vec![("Pista", vec![10])], 1);
    let buckets = layout(&current);
    let mut next = current.clone();
    next.sectors[0].lots[0].quantity = 20;
    let plan = plan_resize(&current, &buckets, &next).expect("plan");
    let added: i64 = plan.adjustments.iter().map(|a| a.delta).sum();
    let half: i64 = plan.adjustments.iter().map(|a| a.half_delta).sum();
    assert_eq!((added, half), (10, 4));
    assert!(plan.adjustments.iter().all(|a| !a.is_removal()));
}

#[test]
fn lowering_below_what_is_sold_is_refused_and_removals_come_before_additions() {
    let current = event(vec![("Pista", vec![20]), ("VIP", vec![10])], 1);
    let mut buckets = layout(&current);
    buckets[0].available = 5; // 15 of Pista sold
    let mut next = current.clone();
    next.sectors[0].lots[0].quantity = 10;
    assert_eq!(
        plan_resize(&current, &buckets, &next),
        Err(ResizeRefusal::BelowSold { sector: "Pista".into(), by: 10, unsold: 5 })
    );
    let mut next = current.clone();
    next.sectors[0].lots[0].quantity = 17;
    next.sectors[1].lots[0].quantity = 30;
    let plan = plan_resize(&current, &buckets, &next).expect("plan");
    let first_addition = plan.adjustments.iter().position(|a| !a.is_removal()).unwrap_or(plan.adjustments.len());
    assert!(plan.adjustments[first_addition..].iter().all(|a| !a.is_removal()));
    let mixed = |a: &Adjustment| (a.delta < 0 && a.half_delta > 0) || (a.delta > 0 && a.half_delta < 0);
    assert!(!plan.adjustments.iter().any(mixed), "each adjustment is a pure removal or addition");
    assert_eq!(plan.adjustments.iter().map(|a| a.delta).sum::<i64>(), -3 + 20);
}

#[test]
fn a_new_lot_gets_its_buckets_and_a_removed_sector_with_sales_is_refused() {
    let current = event(vec![("Pista", vec![100]), ("VIP", vec![10])], 2);
    let mut buckets = layout(&current);
    let mut next = current.clone();
    next.sectors[0].lots.push(Lot { name: "2".into(), price_cents: 200, quantity: 50, ends_at: None, buckets: 2 });
    let plan = plan_resize(&current, &buckets, &next).expect("plan");
    assert_eq!(plan.new_buckets.len(), 2);
    assert_eq!(total(&plan.new_buckets, |b| b.capacity), 50);
    let vip = buckets.iter_mut().find(|b| b.sector == "VIP").expect("vip");
    vip.available -= 1;
    let mut next = current.clone();
    next.sectors.pop();
    assert_eq!(plan_resize(&current, &buckets, &next), Err(ResizeRefusal::SectorHasSales { sector: "VIP".into() }));
}

#[test]
fn drift_counts_tickets_neither_sold_held_in_flight_nor_available() {
    let e = event(vec![("Pista", vec![10])], 1);
    let mut b = layout(&e).remove(0);
    b.available = 4;
    assert_eq!(drift(&b, 5, 0, 1, 0).0, 0);
    assert_eq!(drift(&b, 5, 0, 0, 0).0, 1);
}
