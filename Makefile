# The few verbs people reach for; each is one line over the README's commands.
.PHONY: dev test bench bench-lambda bench-queue soak stock-check lambda-build deploy fmt lint

dev:            ## the whole box office at http://localhost:8000 with demo data
	bash local/dev.sh

test:           ## the whole suite (what CI runs)
	bash local/test.sh

bench:          ## the reservation benchmark matrix → docs/bench/
	bash local/bench/run.sh

bench-lambda:   ## the functions as Lambda runs them (Runtime API emulator) vs the local router → docs/bench/
	bash local/bench/lambda.sh

bench-queue:    ## 100,000 buyers through the waiting room (join, status, admission, purchase) → docs/bench/
	bash local/bench/queue.sh

soak:           ## the long-run lifecycle check
	bash -c 'source local/services.sh && cargo run --release -p bilheteria-local --bin bilheteria-soak'

stock-check:    ## random interleavings of every stock-moving operation, invariants after each round
	bash -c 'source local/services.sh && cargo run --release -p bilheteria-local --bin bilheteria-stock-check -- --cases 200'

lambda-build:   ## every function as an arm64 Lambda bootstrap under target/lambda/
	cargo lambda build --release --arm64 --workspace --exclude bilheteria-local --exclude bilheteria-shared --exclude bilheteria-testkit

deploy:         ## build and deploy the SAM stack (first time: sam deploy --guided)
	sam build && sam deploy

fmt:
	cargo fmt --all

lint:
	cargo clippy --workspace --all-targets -- -D warnings
