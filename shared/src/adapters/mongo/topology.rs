//! What kind of deployment we are connected to: a `mongos` router of a sharded cluster, or
//! a single node / replica set (where sharding commands do not exist).

use crate::error::AppError;
use mongodb::bson::{doc, Document};
use mongodb::Client;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topology {
    Mongos,
    SingleNodeOrReplicaSet,
}

pub async fn detect(client: &Client) -> Result<Topology, AppError> {
    let hello: Document = client
        .database("admin")
        .run_command(doc! {"hello": 1})
        .await
        .map_err(|e| AppError::internal("asking the server hello", e))?;
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
        .map_err(|e| AppError::internal("listing shards", e))?
        .try_collect()
        .await
        .map_err(|e| AppError::internal("listing shards", e))?;
    let shard_names: Vec<String> = shards.iter().filter_map(|s| s.get_str("_id").ok().map(String::from)).collect();
    let mut placement = std::collections::HashMap::new();
    // `explain` of a point query names the shard that would answer it.
    for id in ids {
        let explain: Document = db
            .run_command(doc! {"explain": {"find": collection, "filter": {"_id": id}}, "verbosity": "queryPlanner"})
            .await
            .map_err(|e| AppError::internal("explaining a bucket's placement", e))?;
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
