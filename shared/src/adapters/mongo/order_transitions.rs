//! An order's transitions that end a hold: the status change and the stock's return in one
//! multi-document transaction, retried on write conflicts.
//!
//! Each transaction runs in a task of its own, not in the caller's future: a request whose
//! future is dropped half-way (the client went away, a test ended) cannot leave it open. An
//! abandoned transaction keeps its writes locked until the server gives up on it, and the
//! single-node test server never does: every later write to those documents then retries
//! for ever (seen here: a `cancelling` sweep and a whole test server wedged).

use super::inventory::{retake_ops, return_op};
use super::orders::OrderDoc;
use super::{db_error, is_transactions_unsupported};
use crate::domain::Order;
use crate::error::{AppError, AppResult};
use mongodb::bson::{doc, Document};
use mongodb::error::{TRANSIENT_TRANSACTION_ERROR, UNKNOWN_TRANSACTION_COMMIT_RESULT};
use mongodb::options::ReturnDocument;
use mongodb::{Client, ClientSession, Collection, Database};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const ATTEMPTS: usize = 10;

/// Which way a transition moves the order's tickets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StockMove {
    /// Back to the stock (cancel, expiry, refund).
    Return,
    /// From the stock again (a late payment), only if they are all there.
    Take,
}

/// The stock was not there for a `Take`: the transaction is undone.
struct NotThere;

#[derive(Clone)]
pub(super) struct Transitions {
    client: Client,
    orders: Collection<OrderDoc>,
    inventory: Collection<Document>,
    buyer_counts: Collection<Document>,
    /// Cleared once the server says it has no transactions (a standalone server).
    transactions: Arc<AtomicBool>,
}

impl Transitions {
    pub(super) fn new(client: &Client, db: &Database) -> Self {
        Transitions {
            client: client.clone(),
            orders: db.collection("orders"),
            inventory: db.collection("inventory"),
            buyer_counts: db.collection("buyer_counts"),
            transactions: Arc::new(AtomicBool::new(true)),
        }
    }

    /// A transition that keeps the stock where it is: one conditional update.
    pub(super) async fn change(&self, filter: Document, update: Document) -> AppResult<Option<Order>> {
        self.change_in(None, filter, update).await
    }

    /// Status change and stock return in one transaction, run to its end (commit or abort)
    /// whatever becomes of the caller.
    pub(super) async fn with_return(&self, filter: Document, update: Document) -> AppResult<Option<Order>> {
        self.moving(StockMove::Return, filter, update).await
    }

    /// Status change and a take of the order's tickets in one transaction; `None` when the
    /// order did not match or its tickets are no longer all there (then nothing changed).
    pub(super) async fn with_take(&self, filter: Document, update: Document) -> AppResult<Option<Order>> {
        self.moving(StockMove::Take, filter, update).await
    }

    async fn moving(&self, how: StockMove, filter: Document, update: Document) -> AppResult<Option<Order>> {
        let this = self.clone();
        tokio::spawn(async move { this.with_move_here(how, filter, update).await })
            .await
            .map_err(|e| AppError::internal("a transition's task", e))?
    }

    async fn change_in(
        &self,
        session: Option<&mut ClientSession>,
        filter: Document,
        update: Document,
    ) -> AppResult<Option<Order>> {
        let action = self.orders.find_one_and_update(filter, update).return_document(ReturnDocument::After);
        let found = match session {
            Some(s) => action.session(&mut *s).await,
            None => action.await,
        }
        .map_err(db_error("changing an order's status"))?;
        found.map(OrderDoc::into_domain).transpose()
    }

    async fn return_stock(&self, mut session: Option<&mut ClientSession>, order: &Order) -> AppResult<()> {
        for a in &order.allocations {
            let action = self.inventory.update_one(doc! {"_id": &a.bucket}, return_op(a.quantity, order.price_type));
            match session.as_deref_mut() {
                Some(s) => action.session(s).await,
                None => action.await,
            }
            .map_err(db_error("returning stock"))?;
        }
        self.count_buyer(session, order, -order.quantity).await
    }

    /// Takes the order's tickets from the buckets they came from, each only if it is still
    /// there; `Err(NotThere)` at the first that is not (in a transaction, the abort undoes
    /// the others; without one, they are given back here).
    async fn take_stock(
        &self,
        mut session: Option<&mut ClientSession>,
        order: &Order,
    ) -> AppResult<Result<(), NotThere>> {
        for (i, a) in order.allocations.iter().enumerate() {
            let (filter, update) = retake_ops(&a.bucket, a.quantity, order.price_type);
            let action = self.inventory.update_one(filter, update);
            let taken = match session.as_deref_mut() {
                Some(s) => action.session(s).await,
                None => action.await,
            }
            .map_err(db_error("taking stock again"))?;
            if taken.matched_count == 0 {
                if session.is_none() {
                    for back in &order.allocations[..i] {
                        self.inventory
                            .update_one(doc! {"_id": &back.bucket}, return_op(back.quantity, order.price_type))
                            .await
                            .map_err(db_error("giving back a partial take"))?;
                    }
                }
                return Ok(Err(NotThere));
            }
        }
        self.count_buyer(session, order, order.quantity).await?;
        Ok(Ok(()))
    }

    async fn count_buyer(&self, session: Option<&mut ClientSession>, order: &Order, tickets: i64) -> AppResult<()> {
        if let Some(buyer) = &order.counted_as {
            let action = self
                .buyer_counts
                .update_one(doc! {"_id": format!("{buyer}/{}", order.event_id)}, doc! {"$inc": {"tickets": tickets}});
            match session {
                Some(s) => action.session(s).await,
                None => action.await,
            }
            .map_err(db_error("returning a buyer's count"))?;
        }
        Ok(())
    }

    /// Without transactions (a standalone server): a return changes the order first, then
    /// the stock; a take takes first (the stock is the scarce side), then changes the order
    /// and gives the stock back if the order had moved on. A crash between the two leaves
    /// drift that the reconciler reports.
    async fn without_transaction(
        &self,
        how: StockMove,
        filter: Document,
        update: Document,
    ) -> AppResult<Option<Order>> {
        if how == StockMove::Return {
            let order = self.change_in(None, filter, update).await?;
            if let Some(o) = &order {
                self.return_stock(None, o).await?;
            }
            return Ok(order);
        }
        let Some(order) = self.orders.find_one(filter.clone()).await.map_err(db_error("reading an order"))? else {
            return Ok(None);
        };
        let order = order.into_domain()?;
        if self.take_stock(None, &order).await?.is_err() {
            return Ok(None);
        }
        let changed = self.change_in(None, filter, update).await?;
        if changed.is_none() {
            self.return_stock(None, &order).await?;
        }
        Ok(changed)
    }

    async fn with_move_here(&self, how: StockMove, filter: Document, update: Document) -> AppResult<Option<Order>> {
        if !self.transactions.load(Ordering::Relaxed) {
            return self.without_transaction(how, filter, update).await;
        }
        let mut session = self.client.start_session().await.map_err(db_error("starting a session"))?;
        for _ in 0..ATTEMPTS {
            if let Err(e) = session.start_transaction().await {
                if is_transactions_unsupported(&e) {
                    self.transactions.store(false, Ordering::Relaxed);
                    return Box::pin(self.with_move_here(how, filter, update)).await;
                }
                return Err(db_error("starting a transaction")(e));
            }
            let attempt = async {
                let order = self.change_in(Some(&mut session), filter.clone(), update.clone()).await?;
                let Some(o) = order else { return Ok::<_, AppError>(None) };
                match how {
                    StockMove::Return => self.return_stock(Some(&mut session), &o).await?,
                    StockMove::Take => {
                        if self.take_stock(Some(&mut session), &o).await?.is_err() {
                            return Ok(Some(Err(NotThere)));
                        }
                    }
                }
                Ok(Some(Ok(o)))
            }
            .await;
            // The tickets were not there: undo the status change, and say nothing happened.
            if let Ok(Some(Err(NotThere))) = attempt {
                let _ = session.abort_transaction().await;
                return Ok(None);
            }
            let attempt = attempt.map(|found| found.and_then(Result::ok));
            match attempt {
                Ok(order) => loop {
                    match session.commit_transaction().await {
                        Ok(()) => return Ok(order),
                        Err(e) if e.contains_label(UNKNOWN_TRANSACTION_COMMIT_RESULT) => continue,
                        Err(e) if e.contains_label(TRANSIENT_TRANSACTION_ERROR) => break,
                        Err(e) => {
                            // Never leave it open: abort before giving up.
                            let _ = session.abort_transaction().await;
                            return Err(db_error("committing a transition")(e));
                        }
                    }
                },
                Err(err) => {
                    let _ = session.abort_transaction().await;
                    // A write conflict with a racing transition: try again; the loser's
                    // filter then no longer matches and it changes nothing.
                    if !matches!(&err, AppError::Store(store) if store.is_conflict()) {
                        return Err(err);
                    }
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(5 + rand::random::<u64>() % 20)).await;
        }
        Err(AppError::Unavailable("the order is too contended right now; retry".into()))
    }
}
