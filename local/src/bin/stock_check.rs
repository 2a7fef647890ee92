//! `bilheteria-stock-check`: the stock property test (`local/tests/stock_properties.rs`) as
//! a long run. Case after case — one event, a few buyers, a few rounds of 4–10 random
//! operations run at once (reserve, pay, settle, cancel, refund, expire, capacity edit,
//! pause, resume, cancel the event, reconcile) — against an in-process local router on the
//! real server and broker, checking the stock invariants after every round
//! (`bilheteria_local::stock_model`). Prints figures at the end; exits 1 on any invariant
//! violation or failed operation (a 5xx, an error).
//!
//! `cargo run --release -p bilheteria-local --bin bilheteria-stock-check -- --cases 200 --seed 1`

use bilheteria_local::stock_model::{self, Local, Scenario, Tally};
use clap::Parser;
use rand::SeedableRng;
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
struct Args {
    /// Cases (one event, its buyers and rounds each).
    #[arg(long, default_value_t = 50)]
    cases: u64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Stop at the first case with a violation or a failure.
    #[arg(long)]
    fail_fast: bool,
    /// Print every case's rounds, not only the failing ones.
    #[arg(long)]
    verbose: bool,
}

type BoxError = stock_model::BoxError;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args = Args::parse();
    let started = Instant::now();
    let mut rng = rand::rngs::StdRng::seed_from_u64(args.seed);
    let mut tally = Tally::default();
    let mut failed_cases: Vec<u64> = Vec::new();
    for case in 1..=args.cases {
        let rounds = stock_model::random_case(&mut rng);
        let local = match tokio::time::timeout(Duration::from_secs(60), Local::start("stock")).await {
            Ok(local) => local?,
            Err(_) => return Err("starting a case's server did not finish in 60 s (is the database answering?)".into()),
        };
        let world = local.world.clone();
        let outcome: Result<Scenario, String> = async {
            let mut scenario = Scenario::setup_with_new_users(&world).await?;
            for (i, ops) in rounds.iter().enumerate() {
                let round = scenario.run_round(&world, ops).await.map_err(|e| format!("round {}: {e}", i + 1))?;
                tally.add(round);
                if !round.violations.is_empty() || !round.failures().is_empty() {
                    break; // the stock is off from here on: the next rounds would only repeat it
                }
            }
            Ok(scenario)
        }
        .await;
        tally.cases += 1;
        local.finish().await;
        match outcome {
            Ok(scenario) => {
                let bad = scenario.rounds.iter().any(|r| !r.violations.is_empty() || !r.failures().is_empty());
                if bad {
                    failed_cases.push(case);
                    println!("case {case}: FAILED\n{}", scenario.history());
                } else if args.verbose {
                    println!("case {case}: ok\n{}", scenario.history());
                }
                if bad && args.fail_fast {
                    break;
                }
            }
            Err(e) => {
                tally.failures += 1;
                failed_cases.push(case);
                println!("case {case}: could not run: {e}");
                if args.fail_fast {
                    break;
                }
            }
        }
        if case % 10 == 0 {
            eprintln!(
                "… {case}/{} cases, {} violation(s), {:.0} s",
                args.cases,
                tally.violations,
                started.elapsed().as_secs_f64()
            );
        }
    }

    println!("bilheteria-stock-check: seed {}", args.seed);
    println!("  cases                 {}", tally.cases);
    println!("  rounds                {}", tally.rounds);
    println!("  operations            {}", tally.total_operations());
    for (kind, outcomes) in &tally.operations {
        let total: u64 = outcomes.values().sum();
        let by: Vec<String> = outcomes.iter().map(|(label, n)| format!("{label}: {n}")).collect();
        println!("    {kind:<14} {total:>6}   {}", by.join(", "));
    }
    println!("  failed operations     {}", tally.failures);
    println!("  invariant violations  {}", tally.violations);
    if !failed_cases.is_empty() {
        println!("  failing cases         {failed_cases:?}");
    }
    println!("  elapsed               {:.1} s", started.elapsed().as_secs_f64());
    if tally.violations > 0 || tally.failures > 0 {
        std::process::exit(1);
    }
    Ok(())
}
