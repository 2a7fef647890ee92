//! Demo data: a handful of events with several sectors and prices. Idempotent: an event
//! whose name already exists is left alone.

use bilheteria::domain::{NewEvent, NewSector};
use bilheteria::services::catalog;
use bilheteria::{App, AppError};
use chrono::{Duration, Utc};

fn sector(name: &str, price_cents: i64, capacity: i64) -> NewSector {
    NewSector {
        name: name.into(),
        price_cents,
        capacity,
    }
}

pub fn demo_events() -> Vec<NewEvent> {
    let now = Utc::now();
    let at = |days: i64| now + Duration::days(days);
    vec![
        NewEvent {
            name: "Festival Sons do Brasil".into(),
            venue: "Allianz Parque, São Paulo".into(),
            starts_at: at(30),
            description: Some("Dois palcos, doze atrações e o melhor da música brasileira.".into()),
            sectors: vec![
                sector("Pista", 28_000, 2_000),
                sector("VIP", 56_000, 300),
                sector("Camarote", 98_000, 60),
            ],
        },
        NewEvent {
            name: "Orquestra Sinfônica: Beethoven 9".into(),
            venue: "Sala São Paulo".into(),
            starts_at: at(12),
            description: Some("A Nona Sinfonia com coro completo.".into()),
            sectors: vec![sector("Plateia", 16_000, 800), sector("Balcão", 9_000, 400)],
        },
        NewEvent {
            name: "Noite de Stand-up".into(),
            venue: "Teatro Gazeta, São Paulo".into(),
            starts_at: at(5),
            description: Some("Quatro comediantes, uma noite.".into()),
            sectors: vec![
                sector("Plateia", 8_000, 200),
                sector("Mesa VIP", 15_000, 20),
            ],
        },
        NewEvent {
            name: "Final do Campeonato de Vôlei".into(),
            venue: "Ginásio do Ibirapuera".into(),
            starts_at: at(45),
            description: None,
            sectors: vec![
                sector("Arquibancada", 6_000, 5_000),
                sector("Cadeira Inferior", 12_000, 1_500),
                sector("Quadra", 30_000, 100),
            ],
        },
    ]
}

pub async fn seed(app: &App) -> Result<usize, AppError> {
    let existing: Vec<String> = app
        .events
        .list_visible()
        .await?
        .into_iter()
        .map(|e| e.name)
        .collect();
    let mut created = 0;
    for event in demo_events() {
        if existing.contains(&event.name) {
            continue;
        }
        catalog::create(app, event).await?;
        created += 1;
    }
    Ok(created)
}
