//! One case: its event and users, and its rounds run and checked.

use super::{check, event_body, Op, Outcome, Round, World, BUYERS, OP_TIMEOUT};
use bilheteria_testkit::harness;
use reqwest::Method;

/// One case: an event, its buyers, the orders made so far, and the rounds run.
pub struct Scenario {
    pub event_id: String,
    pub(super) admin: String,
    pub(super) buyers: Vec<String>,
    /// (order id, buyer index), in the order they were made.
    pub(super) orders: Vec<(String, usize)>,
    cancel_confirmed: bool,
    pub rounds: Vec<Round>,
}

impl Scenario {
    /// Creates the event (`event_body`) through the admin API with these tokens.
    pub async fn setup(world: &World, admin: String, buyers: Vec<String>) -> Result<Scenario, String> {
        assert!(!buyers.is_empty(), "a scenario needs buyers");
        let r = world
            .call(Method::POST, "/api/v1/admin/events", Some(&admin), Some(event_body(world.app.clock.now())), &[])
            .await?;
        if r.status != 201 {
            return Err(format!("creating the event: {} {}", r.status, r.body));
        }
        let event_id = r.body["id"].as_str().ok_or("the created event has no id")?.to_string();
        Ok(Scenario { event_id, admin, buyers, orders: Vec::new(), cancel_confirmed: false, rounds: Vec::new() })
    }

    /// Makes an admin and `BUYERS` buyers directly in the database (as the harness does),
    /// then `setup`.
    pub async fn setup_with_new_users(world: &World) -> Result<Scenario, String> {
        use bilheteria::domain::Role;
        let user = |role: Role, prefix: &str| {
            let email = format!("{}@stock.local", harness::unique_name(prefix));
            let app = world.app.clone();
            async move { harness::user_with_role(&app, role, &email).await.map(|(_, t)| t).map_err(|e| e.to_string()) }
        };
        let admin = user(Role::Admin, "admin").await?;
        let mut buyers = Vec::new();
        for _ in 0..BUYERS {
            buyers.push(user(Role::Buyer, "buyer").await?);
        }
        Scenario::setup(world, admin, buyers).await
    }

    /// Runs one round's operations concurrently, then checks the invariants. The round is
    /// kept in `rounds` (its outcomes and violations); a check that could not be made is an
    /// `Err`.
    pub async fn run_round(&mut self, world: &World, ops: &[Op]) -> Result<&Round, String> {
        let outcomes = {
            let this = &*self;
            futures::future::join_all(ops.iter().map(|op| async move {
                match tokio::time::timeout(OP_TIMEOUT, this.apply(world, op)).await {
                    Ok(outcome) => outcome,
                    Err(_) => {
                        let mut out = Outcome::new(op);
                        out.label = "timed out".into();
                        out.failure = Some(format!("did not finish in {} s", OP_TIMEOUT.as_secs()));
                        out
                    }
                }
            }))
            .await
        };
        let mut outcomes = outcomes;
        // Only an expiry's clock jump (11 minutes, past the take grace) can outlive a
        // reservation here; an undone reservation in a round without one is a defect.
        let clock_jumped = ops.iter().any(|op| matches!(op, Op::Expire));
        for o in outcomes.iter_mut().filter(|o| o.undone && !clock_jumped) {
            o.failure = Some("reservation undone (503) though the clock did not jump past the take grace".into());
        }
        for o in &outcomes {
            if let Some(made) = &o.new_order {
                self.orders.push(made.clone());
            }
            self.cancel_confirmed |= o.cancel_confirmed;
        }
        let violations = check(&world.app, &self.event_id, self.cancel_confirmed).await?;
        self.rounds.push(Round { outcomes, violations });
        Ok(self.rounds.last().expect("just pushed"))
    }

    /// Every round so far, its operations and outcomes, and what its check found.
    pub fn history(&self) -> String {
        let mut out = format!("event {}\n", self.event_id);
        for (i, r) in self.rounds.iter().enumerate() {
            out.push_str(&format!("round {}:\n", i + 1));
            for o in &r.outcomes {
                out.push_str(&format!("    {o}\n"));
            }
            for v in &r.violations {
                out.push_str(&format!("  VIOLATION {v}\n"));
            }
        }
        out
    }
}
