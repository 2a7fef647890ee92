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
    Ok(if hello.get_str("msg").ok() == Some("isdbgrid") {
        Topology::Mongos
    } else {
        Topology::SingleNodeOrReplicaSet
    })
}
