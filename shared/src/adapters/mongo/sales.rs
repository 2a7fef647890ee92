//! The dashboard's figures, computed by aggregations over the orders (no counters to drift).

use super::{db_error, from_bson, int_field as num, to_bson};
use crate::domain::{OrderStatus, PriceType};
use crate::error::AppResult;
use crate::ports::{SalesPoint, SalesReport, SalesRow};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::{doc, Document};
use mongodb::{Collection, Database};

pub struct MongoSales {
    orders: Collection<Document>,
}

impl MongoSales {
    pub fn new(db: &Database) -> Self {
        MongoSales { orders: db.collection("orders") }
    }
}

#[async_trait]
impl SalesReport for MongoSales {
    async fn rows(&self) -> AppResult<Vec<SalesRow>> {
        let pipeline = vec![doc! {"$group": {
            "_id": {"event_id": "$event_id", "sector_id": "$sector_id", "price_type": "$price_type", "status": "$status"},
            "orders": {"$sum": 1},
            "tickets": {"$sum": "$quantity"},
            "amount": {"$sum": "$total_cents"},
        }}];
        let cursor = self.orders.aggregate(pipeline).await.map_err(db_error("aggregating sales"))?;
        let docs: Vec<Document> = cursor.try_collect().await.map_err(db_error("aggregating sales"))?;
        Ok(docs
            .into_iter()
            .filter_map(|d| {
                let key = d.get_document("_id").ok()?;
                let price_type = match key.get_str("price_type").ok()? {
                    "half" => PriceType::Half,
                    _ => PriceType::Full,
                };
                let status: OrderStatus =
                    serde_json::from_value(serde_json::Value::String(key.get_str("status").ok()?.to_string())).ok()?;
                Some(SalesRow {
                    event_id: key.get_str("event_id").ok()?.to_string(),
                    sector_id: key.get_str("sector_id").unwrap_or("").to_string(),
                    price_type,
                    status,
                    orders: num(&d, "orders"),
                    tickets: num(&d, "tickets"),
                    amount_cents: num(&d, "amount"),
                })
            })
            .collect())
    }

    async fn series(&self, since: DateTime<Utc>, per_day: bool) -> AppResult<Vec<SalesPoint>> {
        let unit = if per_day { "day" } else { "minute" };
        let pipeline = vec![
            doc! {"$match": {"paid_at": {"$gte": to_bson(since)}}},
            doc! {"$group": {
                "_id": {"$dateTrunc": {"date": "$paid_at", "unit": unit}},
                "tickets": {"$sum": "$quantity"},
                "revenue": {"$sum": "$total_cents"},
            }},
            doc! {"$sort": {"_id": 1}},
        ];
        let cursor = self.orders.aggregate(pipeline).await.map_err(db_error("aggregating the sales series"))?;
        let docs: Vec<Document> = cursor.try_collect().await.map_err(db_error("aggregating the sales series"))?;
        Ok(docs
            .into_iter()
            .filter_map(|d| {
                Some(SalesPoint {
                    at: from_bson(*d.get_datetime("_id").ok()?),
                    tickets: num(&d, "tickets"),
                    revenue_cents: num(&d, "revenue"),
                })
            })
            .collect())
    }
}
