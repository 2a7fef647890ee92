//! What ran: each operation's outcome, each round's, and figures over many cases.

use super::{Op, Reply};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// One operation as it ran.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub op: Op,
    /// What `order` resolved to (`order 1a2b3c4d… of buyer 2`), when the op names an order.
    pub target: Option<String>,
    /// The HTTP status (`201`, `409`…), or `ok`/`processed`/`skipped`… for in-process steps.
    pub label: String,
    /// A refusal's or an error's message, shortened.
    pub detail: Option<String>,
    /// A 5xx, a transport error or an in-process error: the round fails.
    pub failure: Option<String>,
    pub(super) new_order: Option<(String, usize)>,
    pub(super) cancel_confirmed: bool,
    /// A reservation answered `503 reservation_undone`: it outlived the take grace (only a
    /// clock jump in the same round can make that happen here), its order id was fenced and
    /// its stock must be back — which the round's check verifies like any other.
    pub(super) undone: bool,
}

impl Outcome {
    pub(super) fn new(op: &Op) -> Self {
        Outcome {
            op: op.clone(),
            target: None,
            label: String::new(),
            detail: None,
            failure: None,
            new_order: None,
            cancel_confirmed: false,
            undone: false,
        }
    }

    pub(super) fn http(mut self, what: &str, reply: Result<Reply, String>) -> Self {
        match reply {
            Ok(r) => {
                self.label = r.status.to_string();
                if r.status >= 400 {
                    self.detail = Some(short(&r.body));
                }
                if r.status == 503 && r.body.get("code").and_then(Value::as_str) == Some("reservation_undone") {
                    self.undone = true;
                    self.detail = Some("reservation_undone".into());
                } else if r.status >= 500 {
                    self.failure = Some(format!("{what}: {} {}", r.status, short(&r.body)));
                }
            }
            Err(e) => {
                self.label = "transport error".into();
                self.failure = Some(e);
            }
        }
        self
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.op)?;
        if let Some(t) = &self.target {
            write!(f, " [{t}]")?;
        }
        write!(f, " → {}", self.label)?;
        if let Some(d) = &self.detail {
            write!(f, " ({d})")?;
        }
        if let Some(e) = &self.failure {
            write!(f, " FAILURE: {e}")?;
        }
        Ok(())
    }
}

fn short(body: &Value) -> String {
    let text = body.get("detail").and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| body.to_string());
    text.chars().take(160).collect()
}

/// One round: its operations as they ran, and what the check found after it.
#[derive(Clone, Debug)]
pub struct Round {
    pub outcomes: Vec<Outcome>,
    pub violations: Vec<String>,
}

impl Round {
    pub fn failures(&self) -> Vec<&str> {
        self.outcomes.iter().filter_map(|o| o.failure.as_deref()).collect()
    }
}

/// Figures over many cases: operations by kind and outcome, rounds, violations.
#[derive(Default, Debug)]
pub struct Tally {
    pub cases: u64,
    pub rounds: u64,
    pub operations: BTreeMap<&'static str, BTreeMap<String, u64>>,
    pub violations: u64,
    pub failures: u64,
}

impl Tally {
    pub fn add(&mut self, round: &Round) {
        self.rounds += 1;
        for o in &round.outcomes {
            // "ok (3 expired)" and "ok (1, 0)" count as "ok".
            let label = o.label.split(" (").next().unwrap_or(&o.label);
            let label = if label.starts_with("ok ") { "ok" } else { label };
            *self.operations.entry(o.op.kind()).or_default().entry(label.to_string()).or_default() += 1;
        }
        self.violations += round.violations.len() as u64;
        self.failures += round.failures().len() as u64;
    }

    pub fn total_operations(&self) -> u64 {
        self.operations.values().flat_map(|m| m.values()).sum()
    }
}
