//! Editing an event. Capacity changes move stock: raising adds it, lowering takes it back
//! only from what is unsold (409 otherwise, and nothing changes). Renaming a sector keeps
//! its orders linked (they point at the sector's id).
//!
//! An edit is one claimed change: it starts by recording itself on the event, conditional on
//! the version the admin read (so of two edits from the same view one is refused, and no
//! status change can interleave), then applies its bucket adjustments each keyed by the
//! edit (applied once, however often it is retried), then writes the event. Removals go
//! first: when one is refused (tickets sold meanwhile), undoing the ones made is always
//! possible. An edit whose process died is finished by the scheduled function.

use super::{audit, expected_version, managed, stale, view_of};
use crate::app::App;
use crate::auth::Caller;
use crate::domain::event::{new_sector_id, CheckedEvent};
use crate::domain::stock::plan_resize;
use crate::domain::Refusal;
use crate::domain::{Event, EventInput, Lot, Sector};
use crate::error::{AppError, AppResult};
use crate::ports::{Adjusted, EventEdit};
use crate::services::catalog::EventView;

pub async fn update(
    app: &App,
    caller: &Caller,
    raw_id: &str,
    input: EventInput,
    if_match: Option<i64>,
) -> AppResult<EventView> {
    let current = managed(app, raw_id).await?;
    let base_version = expected_version(&current, if_match)?;
    if !current.status.is_open() {
        return Err(Refusal::NotEditable { status: current.status.as_str() }.into());
    }
    let checked = input.check(app.config.max_tickets_per_order)?;
    let now = app.clock.now();
    let next = edited(&current, checked, now);
    let buckets = app.inventory.buckets(&current.id).await?;
    let plan = plan_resize(&current, &buckets, &next).map_err(Refusal::from)?;
    let edit = EventEdit { key: crate::domain::ids::new_hex_id(), base_version, started_at: now, plan, next };
    if !app.events.begin_edit(&edit).await? {
        return Err(stale(app, &current.id).await);
    }
    let before = view_of(app, &current).await?;
    if !apply_edit(app, &edit).await? {
        return Err(Refusal::SoldWhileEditing.into());
    }
    let after = view_of(app, &edit.next).await?;
    audit(app, caller, "event.update", edit.next.id.as_str(), Some(&before), Some(&after)).await?;
    Ok(after)
}

/// The event as the checked input makes it: sectors matched to the current ones by id (or
/// by name), lots by position; version one up, status unchanged.
fn edited(current: &Event, checked: CheckedEvent, now: chrono::DateTime<chrono::Utc>) -> Event {
    let mut kept: Vec<String> = Vec::new();
    let mut sectors = Vec::new();
    for (id, name, lots) in checked.sectors {
        let existing = id
            .as_deref()
            .and_then(|id| current.sector_by_id(id))
            .or_else(|| current.sector_named(&name))
            .filter(|s| !kept.contains(&s.id));
        let sector_id = existing.map(|s| s.id.clone()).unwrap_or_else(new_sector_id);
        kept.push(sector_id.clone());
        let lots = lots
            .into_iter()
            .enumerate()
            .map(|(i, lot)| match existing.and_then(|s| s.lots.get(i)) {
                // An existing lot keeps its bucket layout (reservations name buckets by it).
                Some(old) => Lot { buckets: old.buckets, ..lot },
                None => lot.with_buckets(current.buckets),
            })
            .collect();
        sectors.push(Sector { id: sector_id, name, lots });
    }
    Event {
        name: checked.name,
        description: checked.description,
        venue: checked.venue,
        time_zone: checked.time_zone,
        starts_at: checked.starts_at,
        sales_end_at: checked.sales_end_at,
        image_url: checked.image_url,
        half_price_share_percent: checked.half_price_share_percent,
        max_per_order: checked.max_per_order,
        max_per_buyer: checked.max_per_buyer,
        transfer_closes_minutes_before: checked.transfer_closes_minutes_before,
        sectors,
        version: current.version + 1,
        updated_at: now,
        ..current.clone()
    }
}

/// Applies a started edit's plan and writes the event; `false` when a removal was refused
/// (everything undone, the edit dropped). Safe to run again, or by two processes at once:
/// each adjustment is keyed by the edit.
pub async fn apply_edit(app: &App, edit: &EventEdit) -> AppResult<bool> {
    let (removals, additions): (Vec<_>, Vec<_>) = edit.plan.adjustments.iter().partition(|a| a.is_removal());
    let mut removed = Vec::new();
    for a in removals {
        match app.inventory.adjust(a, &edit.key).await? {
            Adjusted::Applied | Adjusted::AlreadyApplied => removed.push(a),
            Adjusted::Refused => {
                let undo_key = format!("{}~undo", edit.key);
                for done in removed {
                    app.inventory.adjust(&done.undo(), &undo_key).await?;
                }
                app.events.abort_edit(&edit.next.id, &edit.key).await?;
                app.recent_events.forget(&edit.next.id);
                return Ok(false);
            }
        }
    }
    for a in additions {
        if app.inventory.adjust(a, &edit.key).await? == Adjusted::Refused {
            return Err(AppError::Internal(format!("an addition to bucket {} was refused", a.bucket)));
        }
    }
    for b in &edit.plan.new_buckets {
        app.inventory.add_bucket(&edit.next, b).await?;
    }
    app.events.finish_edit(edit).await?;
    app.inventory.refresh(&edit.next).await?;
    app.recent_events.forget(&edit.next.id);
    Ok(true)
}
