//! A Lambda Runtime API emulator, so that the benchmark measures the functions as Lambda runs
//! them: the real release binaries (`bootstrap`) started as execution environments with the
//! environment Lambda gives them, polling `GET /runtime/invocation/next` for one invocation at
//! a time each (or `AWS_LAMBDA_MAX_CONCURRENCY` at a time on Managed Instances), and posting
//! the answer back. One emulator stands for one function: every environment started against
//! it takes from the same queue of invocations, as Lambda's frontend hands a request to any
//! idle environment.
//!
//! The API (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html): `next` answers
//! the event with `Lambda-Runtime-Aws-Request-Id`, `-Deadline-Ms`, `-Invoked-Function-Arn`
//! and `-Trace-Id`; `…/{id}/response` and `…/{id}/error` end it; `init/error` reports a
//! failed start.

pub mod environments;
pub mod mq_mapping;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// The invocation's deadline (template.yaml gives `orders` 15 s and `processing` 60 s; one
/// bound for both here, past which a benchmark's request counts as failed).
const DEADLINE: Duration = Duration::from_secs(60);

/// What an invocation ended with.
#[derive(Debug)]
pub enum Invocation {
    Answered(Bytes),
    /// The function reported an error (its body is the runtime's error document).
    Failed(Bytes),
}

struct Waiting {
    payload: Bytes,
    reply: oneshot::Sender<Invocation>,
}

struct Shared {
    function_name: String,
    queued: tokio::sync::Mutex<mpsc::UnboundedReceiver<(String, Waiting)>>,
    in_flight: Mutex<HashMap<String, oneshot::Sender<Invocation>>>,
    /// Environments waiting in `next` right now (how many are idle).
    polling: AtomicUsize,
    init_errors: Mutex<Vec<String>>,
}

/// One function's Runtime API, served on a port of its own.
#[derive(Clone)]
pub struct RuntimeApi {
    address: std::net::SocketAddr,
    queue: mpsc::UnboundedSender<(String, Waiting)>,
    shared: Arc<Shared>,
    next_id: Arc<AtomicU64>,
}

impl RuntimeApi {
    pub async fn start(function_name: &str) -> std::io::Result<RuntimeApi> {
        let (queue, queued) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            function_name: function_name.to_string(),
            queued: tokio::sync::Mutex::new(queued),
            in_flight: Mutex::new(HashMap::new()),
            polling: AtomicUsize::new(0),
            init_errors: Mutex::new(Vec::new()),
        });
        let router = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route("/2018-06-01/runtime/invocation/{id}/response", post(response))
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(RuntimeApi { address, queue, shared, next_id: Arc::new(AtomicU64::new(0)) })
    }

    /// `AWS_LAMBDA_RUNTIME_API`: host and port, no scheme.
    pub fn address(&self) -> String {
        self.address.to_string()
    }

    pub fn function_name(&self) -> &str {
        &self.shared.function_name
    }

    /// Environments idle in `next` now.
    pub fn polling(&self) -> usize {
        self.shared.polling.load(Ordering::Relaxed)
    }

    /// What environments reported when they failed to start.
    pub fn init_errors(&self) -> Vec<String> {
        self.shared.init_errors.lock().map(|e| e.clone()).unwrap_or_default()
    }

    /// Hands the event to the next idle environment and waits for its answer.
    pub async fn invoke(&self, payload: Bytes) -> Result<Invocation, &'static str> {
        let id =
            format!("{:08x}-0000-4000-8000-{:012x}", std::process::id(), self.next_id.fetch_add(1, Ordering::Relaxed));
        let (reply, answer) = oneshot::channel();
        self.queue.send((id.clone(), Waiting { payload, reply })).map_err(|_| "the runtime API has stopped")?;
        match tokio::time::timeout(DEADLINE, answer).await {
            Ok(answered) => answered.map_err(|_| "the environment went away without answering"),
            Err(_) => {
                // As Lambda: past the deadline the invocation has failed, whatever comes later.
                if let Ok(mut in_flight) = self.shared.in_flight.lock() {
                    in_flight.remove(&id);
                }
                Err("the invocation timed out")
            }
        }
    }

    /// Waits until `count` environments are idle in `next` (they started and connected).
    pub async fn wait_for_environments(&self, count: usize, within: Duration) -> Result<(), String> {
        let until = tokio::time::Instant::now() + within;
        while self.polling() < count {
            if tokio::time::Instant::now() > until {
                return Err(format!(
                    "{} of {count} environments of {} polling after {within:?}; init errors: {:?}",
                    self.polling(),
                    self.function_name(),
                    self.init_errors()
                ));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }
}

/// Counts an environment idle in `next` for as long as it waits there (also when its
/// connection drops mid-wait: the handler is dropped, and this with it).
struct Idle<'a>(&'a AtomicUsize);

impl<'a> Idle<'a> {
    fn begin(counter: &'a AtomicUsize) -> Self {
        counter.fetch_add(1, Ordering::Relaxed);
        Idle(counter)
    }
}

impl Drop for Idle<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

async fn next(State(shared): State<Arc<Shared>>) -> Result<(HeaderMap, Bytes), StatusCode> {
    let idle = Idle::begin(&shared.polling);
    let taken = shared.queued.lock().await.recv().await;
    drop(idle);
    // The function is being torn down: like Lambda, never answer (the environment is killed).
    let Some((id, waiting)) = taken else { return std::future::pending().await };
    let deadline = chrono::Utc::now().timestamp_millis() + DEADLINE.as_millis() as i64;
    let mut headers = HeaderMap::new();
    let header = |value: String| HeaderValue::from_str(&value).map_err(|_| StatusCode::INTERNAL_SERVER_ERROR);
    headers.insert("lambda-runtime-aws-request-id", header(id.clone())?);
    headers.insert("lambda-runtime-deadline-ms", header(deadline.to_string())?);
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        header(format!("arn:aws:lambda:us-east-1:000000000000:function:{}", shared.function_name))?,
    );
    headers.insert("lambda-runtime-trace-id", header(format!("Root=1-00000000-{id};Sampled=0"))?);
    if let Ok(mut in_flight) = shared.in_flight.lock() {
        in_flight.insert(id, waiting.reply);
    }
    Ok((headers, waiting.payload))
}

fn finish(shared: &Shared, id: &str, outcome: Invocation) -> StatusCode {
    let reply = shared.in_flight.lock().ok().and_then(|mut in_flight| in_flight.remove(id));
    match reply {
        Some(reply) => {
            let _ = reply.send(outcome);
            StatusCode::ACCEPTED
        }
        None => StatusCode::BAD_REQUEST,
    }
}

async fn response(State(shared): State<Arc<Shared>>, Path(id): Path<String>, body: Bytes) -> StatusCode {
    finish(&shared, &id, Invocation::Answered(body))
}

async fn error(State(shared): State<Arc<Shared>>, Path(id): Path<String>, body: Bytes) -> StatusCode {
    finish(&shared, &id, Invocation::Failed(body))
}

async fn init_error(State(shared): State<Arc<Shared>>, body: Bytes) -> StatusCode {
    if let Ok(mut errors) = shared.init_errors.lock() {
        errors.push(String::from_utf8_lossy(&body).into_owned());
    }
    StatusCode::ACCEPTED
}
