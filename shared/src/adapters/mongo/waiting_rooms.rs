//! The waiting rooms: `waiting_rooms` (one document per event: settings, the arrival
//! counters, the draw, the serving counter and its recent steps) and `queue_places` (one
//! document per person and event, `_id` `<event>/<buyer key>`, holding their arrival).
//!
//! Joins are grouped (`batch_queue`): the joins that arrive together cost one `$in` read of
//! those already in, one `$inc` of the room's counter for all the new ones, and one
//! unordered `insertMany`; a person joining from two places at once is refused by the
//! unique `_id` and gets the arrival the first one stored.

use super::batch_queue::{BatchQueue, Job, Submitted};
use super::group_find::{decode, GroupFind};
use super::group_insert::refusals;
use super::{db_error, from_bson, int_field, to_bson};
use crate::domain::queue::{AdmissionStep, Arrival, Draw, OrderFacts, RoomSettings, Tick, WaitingRoom};
use crate::domain::{EventId, UserId};
use crate::error::{AppError, AppResult, StoreError};
use crate::ports::WaitingRooms;
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use futures::{FutureExt, TryStreamExt};
use mongodb::bson::{doc, Binary, DateTime as BsonDateTime, Document};
use mongodb::options::ReturnDocument;
use mongodb::{Collection, Database};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How long the serving counter's steps are kept: longer than any admission window.
const STEPS_KEPT: Duration = Duration::minutes(70);
const STEP_RESOLUTION: Duration = Duration::seconds(5);
/// The recent orders the per-order average and the release share are read from.
const RECENT_ORDERS: i64 = 500;
const MAX_JOINS_PER_BATCH: usize = 256;

#[derive(Serialize, Deserialize, Clone, Copy)]
struct StepDoc {
    at: BsonDateTime,
    through: i64,
}

#[derive(Serialize, Deserialize, Clone, Copy)]
struct TickDoc {
    serving: i64,
    can_serve: i64,
    outstanding: i64,
    sold_out: bool,
    holds_pending: bool,
}

#[derive(Serialize, Deserialize)]
struct RoomDoc {
    #[serde(rename = "_id")]
    id: String,
    enabled: bool,
    opens_at: BsonDateTime,
    rate_per_minute: i64,
    early: i64,
    late: i64,
    drawn: bool,
    #[serde(default)]
    seed: Option<Binary>,
    #[serde(default)]
    drawn_early: i64,
    #[serde(default)]
    drawn_at: Option<BsonDateTime>,
    serving: i64,
    #[serde(default)]
    steps: Vec<StepDoc>,
    #[serde(default)]
    last_tick_at: Option<BsonDateTime>,
    #[serde(default)]
    last_tick: Option<TickDoc>,
}

impl RoomDoc {
    fn into_domain(self) -> AppResult<WaitingRoom> {
        let event_id = EventId::parse(&self.id).ok_or_else(|| AppError::Internal("a room with a bad id".into()))?;
        let draw = match (self.drawn, self.seed, self.drawn_at) {
            (true, Some(seed), Some(at)) => Some(Draw { seed: seed.bytes, early: self.drawn_early, at: from_bson(at) }),
            _ => None,
        };
        Ok(WaitingRoom {
            event_id,
            settings: RoomSettings {
                enabled: self.enabled,
                opens_at: from_bson(self.opens_at),
                rate_per_minute: self.rate_per_minute,
            },
            early: self.early,
            late: self.late,
            draw,
            serving: self.serving,
            steps: self.steps.iter().map(|s| AdmissionStep { at: from_bson(s.at), through: s.through }).collect(),
            last_tick_at: self.last_tick_at.map(from_bson),
            last_tick: self.last_tick.map(|t| Tick {
                serving: t.serving,
                can_serve: t.can_serve,
                outstanding: t.outstanding,
                sold_out: t.sold_out,
                holds_pending: t.holds_pending,
            }),
        })
    }
}

#[derive(Serialize, Deserialize)]
struct PlaceDoc {
    #[serde(rename = "_id")]
    id: String,
    event_id: String,
    user_id: String,
    early: bool,
    number: i64,
    joined_at: BsonDateTime,
}

struct JoinRequest {
    event: EventId,
    buyer: String,
    user: UserId,
    now: DateTime<Utc>,
}

type Joined = Result<Arrival, AppError>;

pub struct MongoWaitingRooms {
    rooms: Collection<RoomDoc>,
    places: Collection<PlaceDoc>,
    orders: Collection<Document>,
    /// Every status read and join reads its room: those share `$in` reads under a crowd.
    room_by_id: GroupFind,
    joins: BatchQueue<JoinRequest, Joined>,
}

impl MongoWaitingRooms {
    pub fn new(db: &Database) -> Self {
        let (rooms, places): (Collection<RoomDoc>, Collection<PlaceDoc>) =
            (db.collection("waiting_rooms"), db.collection("queue_places"));
        let (rooms_for_joins, places_for_joins) = (rooms.clone(), places.clone());
        let joins = BatchQueue::new(MAX_JOINS_PER_BATCH, move |jobs| {
            serve_joins(rooms_for_joins.clone(), places_for_joins.clone(), jobs).boxed()
        });
        MongoWaitingRooms {
            rooms,
            places,
            orders: db.collection("orders"),
            room_by_id: GroupFind::new(db.collection("waiting_rooms"), "_id", doc! {}, None),
            joins,
        }
    }
}

#[async_trait]
impl WaitingRooms for MongoWaitingRooms {
    async fn find(&self, event: &EventId) -> AppResult<Option<WaitingRoom>> {
        let found = self.room_by_id.one(event.as_str()).await.map_err(db_error("reading a waiting room"))?;
        found.map(|d| decode::<RoomDoc>(d)?.into_domain()).transpose()
    }

    async fn enabled(&self) -> AppResult<Vec<WaitingRoom>> {
        let cursor = self.rooms.find(doc! {"enabled": true}).await.map_err(db_error("listing waiting rooms"))?;
        let docs: Vec<RoomDoc> = cursor.try_collect().await.map_err(db_error("listing waiting rooms"))?;
        docs.into_iter().map(RoomDoc::into_domain).collect()
    }

    async fn configure(&self, event: &EventId, settings: &RoomSettings, now: DateTime<Utc>) -> AppResult<WaitingRoom> {
        let stored = self
            .rooms
            .find_one_and_update(
                doc! {"_id": event.as_str()},
                doc! {
                    "$set": {"enabled": settings.enabled, "opens_at": to_bson(settings.opens_at),
                             "rate_per_minute": settings.rate_per_minute, "updated_at": to_bson(now)},
                    "$setOnInsert": {"early": 0_i64, "late": 0_i64, "drawn": false, "serving": 0_i64,
                                     "steps": [], "created_at": to_bson(now)},
                },
            )
            .upsert(true)
            .return_document(ReturnDocument::After)
            .await
            .map_err(db_error("configuring a waiting room"))?
            .ok_or_else(|| AppError::Internal("an upserted room was not returned".into()))?;
        stored.into_domain()
    }

    async fn draw(&self, event: &EventId, seed: &[u8], now: DateTime<Utc>) -> AppResult<()> {
        // The early counter is frozen at the value the draw saw: the update holds only if
        // no join moved it in between, and joins count as early only while `drawn` is false.
        for _ in 0..20 {
            let Some(room) = self.rooms.find_one(doc! {"_id": event.as_str()}).await.map_err(db_error("drawing"))?
            else {
                return Ok(());
            };
            if room.drawn {
                return Ok(());
            }
            let seed = Binary { subtype: mongodb::bson::spec::BinarySubtype::Generic, bytes: seed.to_vec() };
            let updated = self
                .rooms
                .update_one(
                    doc! {"_id": event.as_str(), "drawn": false, "early": room.early},
                    doc! {"$set": {"drawn": true, "seed": seed, "drawn_early": room.early, "drawn_at": to_bson(now)}},
                )
                .await
                .map_err(db_error("drawing"))?;
            if updated.modified_count == 1 {
                return Ok(());
            }
        }
        Err(AppError::Unavailable("the draw kept racing joins; the next call makes it".into()))
    }

    async fn join(&self, event: &EventId, buyer: &str, user: &UserId, now: DateTime<Utc>) -> AppResult<Arrival> {
        let request = JoinRequest { event: event.clone(), buyer: buyer.to_string(), user: user.clone(), now };
        match self.joins.submit(request).await {
            Submitted::Answered(joined) => joined,
            Submitted::Lost => Err(AppError::Unavailable("the join was interrupted; join again".into())),
            Submitted::NotQueued(request) => {
                let (sender, answer) = tokio::sync::oneshot::channel();
                serve_joins(self.rooms.clone(), self.places.clone(), vec![(request, sender)]).await;
                answer.await.unwrap_or_else(|_| Err(AppError::Internal("a join went unanswered".into())))
            }
        }
    }

    async fn leave(&self, event: &EventId, buyer: &str, arrival: Arrival) -> AppResult<()> {
        self.places
            .delete_one(doc! {"_id": place_id(event, buyer), "early": arrival.early, "number": arrival.number})
            .await
            .map_err(db_error("leaving a queue"))?;
        Ok(())
    }

    async fn advance(
        &self,
        event: &EventId,
        from: i64,
        tick: &Tick,
        step: Option<AdmissionStep>,
        now: DateTime<Utc>,
    ) -> AppResult<bool> {
        let Some(room) = self.rooms.find_one(doc! {"_id": event.as_str()}).await.map_err(db_error("admitting"))? else {
            return Ok(false);
        };
        let mut steps: Vec<StepDoc> = room.steps.into_iter().collect();
        if let Some(step) = step {
            match steps.last_mut() {
                // Moves within a few seconds are one step: a turn is timed to that precision,
                // and the document stays small (a 1 s tick would add 3,600 steps an hour).
                Some(last) if step.at - from_bson(last.at) < STEP_RESOLUTION => last.through = step.through,
                _ => steps.push(StepDoc { at: to_bson(step.at), through: step.through }),
            }
        }
        // Keep the last step older than what is kept: windows count from it.
        let oldest_kept = to_bson(now - STEPS_KEPT);
        let first_recent = steps.iter().position(|s| s.at >= oldest_kept).unwrap_or(steps.len());
        let steps: Vec<StepDoc> = steps.split_off(first_recent.saturating_sub(1));
        let last_tick = TickDoc {
            serving: tick.serving,
            can_serve: tick.can_serve,
            outstanding: tick.outstanding,
            sold_out: tick.sold_out,
            holds_pending: tick.holds_pending,
        };
        let steps = mongodb::bson::to_bson(&steps).map_err(|e| AppError::internal("encoding steps", e))?;
        let last_tick = mongodb::bson::to_bson(&last_tick).map_err(|e| AppError::internal("encoding a tick", e))?;
        let updated = self
            .rooms
            .update_one(
                doc! {"_id": event.as_str(), "serving": from},
                doc! {"$set": {"serving": tick.serving, "steps": steps, "last_tick": last_tick,
                "last_tick_at": to_bson(now)}},
            )
            .await
            .map_err(db_error("admitting"))?;
        Ok(updated.modified_count == 1)
    }

    async fn order_facts(&self, event: &EventId, window_start: DateTime<Utc>) -> AppResult<OrderFacts> {
        let event_id = event.as_str();
        let held: Vec<Document> = self
            .orders
            .aggregate(vec![
                doc! {"$match": {"event_id": event_id, "status": {"$in": ["reserved", "payment_pending"]}}},
                doc! {"$group": {"_id": null, "tickets": {"$sum": "$quantity"}}},
            ])
            .await
            .map_err(db_error("reading held orders"))?
            .try_collect()
            .await
            .map_err(db_error("reading held orders"))?;
        let held_unpaid = held.first().map(|d| int_field(d, "tickets")).unwrap_or(0);
        let recent: Vec<Document> = self
            .orders
            .find(doc! {"event_id": event_id, "status": {"$ne": "void"}})
            .projection(doc! {"status": 1, "quantity": 1})
            .sort(doc! {"event_id": 1, "_id": -1})
            .limit(RECENT_ORDERS)
            .await
            .map_err(db_error("reading recent orders"))?
            .try_collect()
            .await
            .map_err(db_error("reading recent orders"))?;
        let mut facts = OrderFacts { held_unpaid, ..OrderFacts::default() };
        for order in &recent {
            facts.orders += 1;
            facts.tickets += int_field(order, "quantity");
            match order.get_str("status").unwrap_or_default() {
                "expired" | "cancelled" => {
                    facts.holds_released += 1;
                    facts.holds_ended += 1;
                }
                "paid" | "refunded" => facts.holds_ended += 1,
                _ => {}
            }
        }
        // Order ids begin with their creation second (`ids::new_hex_id`), so the window is a
        // range of the `{event_id, _id}` index; its buyers are counted once each.
        let since = format!("{:08x}{}", window_start.timestamp().max(0) as u32, "0".repeat(16));
        let buyers: Vec<Document> = self
            .orders
            .aggregate(vec![
                doc! {"$match": {"event_id": event_id, "_id": {"$gte": since}, "status": {"$ne": "void"}}},
                doc! {"$group": {"_id": "$user_id"}},
                doc! {"$group": {"_id": null, "buyers": {"$sum": 1}}},
            ])
            .await
            .map_err(db_error("counting recent buyers"))?
            .try_collect()
            .await
            .map_err(db_error("counting recent buyers"))?;
        facts.buyers_in_window = buyers.first().map(|d| int_field(d, "buyers")).unwrap_or(0);
        Ok(facts)
    }
}

/// The batch's failure, told to each joiner in it (with its class kept: retry or not).
fn retold(e: &AppError) -> AppError {
    match e {
        AppError::NotFound(m) => AppError::NotFound(m.clone()),
        AppError::Store(StoreError::Unavailable { .. } | StoreError::Conflict { .. }) | AppError::Unavailable(_) => {
            AppError::Unavailable(e.chain())
        }
        other => AppError::Internal(other.chain()),
    }
}

fn place_id(event: &EventId, buyer: &str) -> String {
    format!("{event}/{buyer}")
}

/// Serves a batch of joins, event by event.
async fn serve_joins(rooms: Collection<RoomDoc>, places: Collection<PlaceDoc>, jobs: Vec<Job<JoinRequest, Joined>>) {
    let mut by_event: HashMap<EventId, Vec<Job<JoinRequest, Joined>>> = HashMap::new();
    for job in jobs {
        by_event.entry(job.0.event.clone()).or_default().push(job);
    }
    for (event, jobs) in by_event {
        let ids: Vec<String> = jobs.iter().map(|(r, _)| place_id(&event, &r.buyer)).collect();
        let answers = join_event(&rooms, &places, &event, &jobs).await;
        for ((_, reply), id) in jobs.into_iter().zip(ids) {
            let answer = match &answers {
                Ok(by_id) => by_id.get(&id).copied().ok_or_else(|| AppError::Internal("a join went unanswered".into())),
                Err(e) => Err(retold(e)),
            };
            // The joiner may have gone; their place stands and a new join finds it.
            let _ = reply.send(answer);
        }
    }
}

async fn join_event(
    rooms: &Collection<RoomDoc>,
    places: &Collection<PlaceDoc>,
    event: &EventId,
    jobs: &[Job<JoinRequest, Joined>],
) -> AppResult<HashMap<String, Arrival>> {
    let mut arrivals = existing(places, jobs.iter().map(|(r, _)| place_id(event, &r.buyer)).collect()).await?;
    let mut new: Vec<&JoinRequest> = Vec::new();
    for (request, _) in jobs {
        let id = place_id(event, &request.buyer);
        if !arrivals.contains_key(&id) && !new.iter().any(|r| r.buyer == request.buyer) {
            new.push(request);
        }
    }
    if new.is_empty() {
        return Ok(arrivals);
    }
    let count = new.len() as i64;
    let (early, last) = take_numbers(rooms, event, count).await?;
    let documents: Vec<PlaceDoc> = new
        .iter()
        .enumerate()
        .map(|(i, r)| PlaceDoc {
            id: place_id(event, &r.buyer),
            event_id: event.to_string(),
            user_id: r.user.to_string(),
            early,
            number: last - count + 1 + i as i64,
            joined_at: to_bson(r.now),
        })
        .collect();
    let mut taken_elsewhere = Vec::new();
    match places.insert_many(&documents).ordered(false).await {
        Ok(_) => {}
        Err(e) => match refusals(&e) {
            Some(refused) if refused.iter().all(|r| r.code == 11000) => {
                taken_elsewhere = refused.iter().filter_map(|r| documents.get(r.index).map(|d| d.id.clone())).collect();
            }
            _ => return Err(db_error("joining a queue")(e)),
        },
    }
    for d in &documents {
        if !taken_elsewhere.contains(&d.id) {
            arrivals.insert(d.id.clone(), Arrival { early: d.early, number: d.number });
        }
    }
    // A person who joined from elsewhere at the same moment keeps the arrival stored first
    // (the number taken here for them is left unused: a gap the counter passes over).
    arrivals.extend(existing(places, taken_elsewhere).await?);
    Ok(arrivals)
}

async fn existing(places: &Collection<PlaceDoc>, ids: Vec<String>) -> AppResult<HashMap<String, Arrival>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let found: Vec<PlaceDoc> = places
        .find(doc! {"_id": {"$in": ids}})
        .await
        .map_err(db_error("reading queue places"))?
        .try_collect()
        .await
        .map_err(db_error("reading queue places"))?;
    Ok(found.into_iter().map(|p| (p.id, Arrival { early: p.early, number: p.number })).collect())
}

/// Takes `count` consecutive arrival numbers: early ones while the draw is not made, late
/// ones after. Returns whether they are early and the last number taken.
async fn take_numbers(rooms: &Collection<RoomDoc>, event: &EventId, count: i64) -> AppResult<(bool, i64)> {
    let early = rooms
        .find_one_and_update(doc! {"_id": event.as_str(), "drawn": false}, doc! {"$inc": {"early": count}})
        .return_document(ReturnDocument::After)
        .await
        .map_err(db_error("joining a queue"))?;
    if let Some(room) = early {
        return Ok((true, room.early));
    }
    let late = rooms
        .find_one_and_update(doc! {"_id": event.as_str()}, doc! {"$inc": {"late": count}})
        .return_document(ReturnDocument::After)
        .await
        .map_err(db_error("joining a queue"))?
        .ok_or_else(|| AppError::NotFound("this event has no waiting room".into()))?;
    Ok((false, late.late))
}
