//! Demo data: a handful of events with several sectors, prices and lots. Idempotent: an
//! event whose name already exists is left alone.

use bilheteria::auth::Caller;
use bilheteria::domain::event::LotInput;
use bilheteria::domain::{EventStatus, NewEvent, NewSector, UserId};
use bilheteria::services::admin;
use bilheteria::{App, AppError};
use chrono::{Duration, Utc};

fn sector(name: &str, price_cents: i64, capacity: i64) -> NewSector {
    NewSector { id: None, name: name.into(), price_cents, capacity, lots: None }
}

/// A sector that sells in three lots (1º, 2º, 3º lote) at rising prices.
fn sector_with_lots() -> NewSector {
    let lot = |name: &str, price_cents, quantity| LotInput { name: name.into(), price_cents, quantity, ends_at: None };
    NewSector {
        id: None,
        name: "Pista".into(),
        price_cents: 24_000,
        capacity: 2_000,
        lots: Some(vec![lot("1º lote", 24_000, 500), lot("2º lote", 28_000, 700), lot("3º lote", 32_000, 800)]),
    }
}

fn event(name: &str, venue: &str, days: i64, description: &str, sectors: Vec<NewSector>) -> NewEvent {
    NewEvent {
        name: name.into(),
        venue: venue.into(),
        time_zone: None,
        starts_at: Utc::now() + Duration::days(days),
        sales_end_at: None,
        description: Some(description.into()),
        image_url: None,
        half_price_share_percent: None,
        max_per_order: None,
        max_per_buyer: None,
        transfer_closes_minutes_before: None,
        buckets: None,
        sectors,
    }
}

pub fn demo_events() -> Vec<NewEvent> {
    let mut volei = event(
        "Final do Campeonato de Vôlei",
        "Ginásio do Ibirapuera, São Paulo",
        45,
        "A grande final, com transmissão ao vivo.",
        vec![
            sector("Arquibancada", 6_000, 5_000),
            sector("Cadeira Inferior", 12_000, 1_500),
            sector("Quadra", 30_000, 100),
        ],
    );
    volei.max_per_buyer = Some(8);
    vec![
        event(
            "Festival Sons do Brasil",
            "Allianz Parque, São Paulo",
            30,
            "Dois palcos, doze atrações e o melhor da música brasileira.",
            vec![sector_with_lots(), sector("VIP", 56_000, 300), sector("Camarote", 98_000, 60)],
        ),
        event(
            "Orquestra Sinfônica: Beethoven 9",
            "Sala São Paulo",
            12,
            "A Nona Sinfonia com coro completo.",
            vec![sector("Plateia", 16_000, 800), sector("Balcão", 9_000, 400)],
        ),
        event(
            "Noite de Stand-up",
            "Teatro Gazeta, São Paulo",
            5,
            "Quatro comediantes, uma noite.",
            vec![sector("Plateia", 8_000, 200), sector("Mesa VIP", 15_000, 20)],
        ),
        volei,
    ]
}

pub async fn seed(app: &App) -> Result<usize, AppError> {
    let existing: Vec<String> =
        app.events.list(&[EventStatus::Active, EventStatus::Paused]).await?.into_iter().map(|e| e.name).collect();
    // Seeding is an operator's act: the audit log records it under the all-zero system id.
    let system = Caller::admin_acting(
        UserId::parse("000000000000000000000000").ok_or_else(|| AppError::Internal("system id".into()))?,
        app.clock.now(),
    );
    let mut created = 0;
    for event in demo_events() {
        if existing.contains(&event.name) {
            continue;
        }
        admin::create(app, &system, event).await?;
        created += 1;
    }
    Ok(created)
}
