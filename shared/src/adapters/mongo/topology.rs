//! What kind of deployment we are connected to: a `mongos` router of a sharded cluster, or
//! a single node / replica set (where sharding commands do not exist).

use super::db_error;
use crate::error::AppError;
use crate::ports::{Placement, StockPlacement};
use async_trait::async_trait;
use mongodb::bson::{doc, Document};
use mongodb::{Client, Database};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topology {
    Mongos,
    SingleNodeOrReplicaSet,
}

pub async fn detect(client: &Client) -> Result<Topology, AppError> {
    let hello: Document =
        client.database("admin").run_command(doc! {"hello": 1}).await.map_err(db_error("asking the server hello"))?;
    Ok(if hello.get_str("msg").ok() == Some("isdbgrid") { Topology::Mongos } else { Topology::SingleNodeOrReplicaSet })
}

/// Which shard holds each of these documents (by `_id`), read from the config database's
/// chunk map through `mongos`; and the cluster's shard names.
pub async fn shards_of(
    db: &mongodb::Database,
    collection: &str,
    ids: &[String],
) -> Result<(std::collections::HashMap<String, String>, Vec<String>), AppError> {
    use futures::TryStreamExt;
    let client = db.client();
    let config = client.database("config");
    let shards: Vec<Document> = config
        .collection::<Document>("shards")
        .find(doc! {})
        .await
        .map_err(db_error("listing shards"))?
        .try_collect()
        .await
        .map_err(db_error("listing shards"))?;
    let shard_names: Vec<String> = shards.iter().filter_map(|s| s.get_str("_id").ok().map(String::from)).collect();
    let mut placement = std::collections::HashMap::new();
    // `explain` of a point query names the shard that would answer it.
    for id in ids {
        let explain: Document = db
            .run_command(doc! {"explain": {"find": collection, "filter": {"_id": id}}, "verbosity": "queryPlanner"})
            .await
            .map_err(db_error("explaining a bucket's placement"))?;
        let shard = explain
            .get_document("queryPlanner")
            .ok()
            .and_then(|q| q.get_document("winningPlan").ok())
            .and_then(|w| w.get_array("shards").ok())
            .and_then(|s| s.first())
            .and_then(|s| s.as_document())
            .and_then(|s| s.get_str("shardName").ok())
            .map(String::from);
        if let Some(shard) = shard {
            placement.insert(id.clone(), shard);
        }
    }
    Ok((placement, shard_names))
}

/// The `Placement` port on MongoDB: asks the server what it is, then (through `mongos`)
/// where each bucket lives.
pub struct MongoPlacement {
    db: Database,
}

impl MongoPlacement {
    pub fn new(db: &Database) -> Self {
        MongoPlacement { db: db.clone() }
    }
}

#[async_trait]
impl Placement for MongoPlacement {
    async fn of_buckets(&self, bucket_ids: &[String]) -> Result<StockPlacement, AppError> {
        Ok(match detect(self.db.client()).await? {
            Topology::SingleNodeOrReplicaSet => StockPlacement::SingleNode,
            Topology::Mongos => {
                let (shard_of_bucket, shards) = shards_of(&self.db, "inventory", bucket_ids).await?;
                StockPlacement::Sharded { shards, shard_of_bucket }
            }
        })
    }
}
