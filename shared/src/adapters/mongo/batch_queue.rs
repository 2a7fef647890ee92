//! The mechanism both group-commit paths share (`group_insert`, `group_take`): callers queue
//! a job and wait for its answer; one task per queue, started on first use on the caller's
//! runtime, serves whatever is waiting as one batch, then whatever arrived meanwhile. No
//! timer: a lone job goes out at once, alone; under a peak the batches grow by themselves.

use futures::future::BoxFuture;
use std::sync::{Arc, OnceLock};
use tokio::sync::{mpsc, oneshot};

/// A queued job and where its answer goes.
pub(crate) type Job<I, O> = (I, oneshot::Sender<O>);

type Serve<I, O> = Arc<dyn Fn(Vec<Job<I, O>>) -> BoxFuture<'static, ()> + Send + Sync>;

pub(crate) enum Submitted<I, O> {
    Answered(O),
    /// The task stopped mid-batch (its runtime is ending): what became of the job is unknown.
    Lost,
    /// No task to run it (its runtime ended): the caller runs the job alone.
    NotQueued(I),
}

pub(crate) struct BatchQueue<I, O> {
    max_batch: usize,
    serve: Serve<I, O>,
    queue: OnceLock<mpsc::UnboundedSender<Job<I, O>>>,
}

impl<I: Send + 'static, O: Send + 'static> BatchQueue<I, O> {
    /// `serve` answers every job of a batch (a job left unanswered reads as `Lost`).
    pub(crate) fn new(
        max_batch: usize,
        serve: impl Fn(Vec<Job<I, O>>) -> BoxFuture<'static, ()> + Send + Sync + 'static,
    ) -> Self {
        BatchQueue { max_batch, serve: Arc::new(serve), queue: OnceLock::new() }
    }

    pub(crate) async fn submit(&self, item: I) -> Submitted<I, O> {
        let queue = self.queue.get_or_init(|| {
            let (sender, receiver) = mpsc::unbounded_channel();
            tokio::spawn(drain(receiver, self.max_batch, self.serve.clone()));
            sender
        });
        let (reply, answer) = oneshot::channel();
        match queue.send((item, reply)) {
            Ok(()) => answer.await.map_or(Submitted::Lost, Submitted::Answered),
            Err(mpsc::error::SendError((item, _))) => Submitted::NotQueued(item),
        }
    }
}

async fn drain<I, O>(mut queue: mpsc::UnboundedReceiver<Job<I, O>>, max_batch: usize, serve: Serve<I, O>) {
    let mut batch = Vec::with_capacity(max_batch);
    // `recv_many` waits for one, then takes whatever else is already waiting.
    while queue.recv_many(&mut batch, max_batch).await > 0 {
        serve(std::mem::take(&mut batch)).await;
    }
}
