"""Build-free checks of the Docker path: local/docker-compose.yml and local/Dockerfile.

No engine needed. Asserts what the developer-experience issue promised, so a later edit that
drops one of them fails the check:
  compose: MongoDB 7 as a one-node replica set (--replSet rs0), a one-shot init that runs
           rs.initiate, a healthcheck waiting for the primary; RabbitMQ 3.13 with the management
           UI on 15672 and a healthcheck; bilheteria built from local/Dockerfile, on 8000, with
           the required environment and depends_on conditions on health / completion.
  Dockerfile: rust builder -> node site -> debian-slim runtime stages, base images pinned to a
           version (never :latest or untagged), `cargo build --release -p bilheteria-local`,
           the site copied to /app/site/dist, a non-root USER, EXPOSE 8000, seed then serve.
With --schema-only it only parses the compose file and checks its basic shape (the last-resort
validation when neither `docker compose` nor `docker-compose` is available).

Usage: python docker_assert.py [--schema-only] COMPOSE_FILE DOCKERFILE
"""

from __future__ import annotations

import re
import sys

import yaml

errors: list[str] = []


def check(condition: bool, message: str) -> None:
    print(("  ok   " if condition else "  FAIL ") + message)
    if not condition:
        errors.append(message)


def as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def env_of(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def compose_shape(doc) -> dict:
    check(isinstance(doc, dict), "compose file is a mapping")
    services = doc.get("services") if isinstance(doc, dict) else None
    check(isinstance(services, dict) and bool(services), "has a services mapping")
    services = services if isinstance(services, dict) else {}
    allowed_top = {"services", "volumes", "networks", "configs", "secrets", "version", "name"}
    for key in doc if isinstance(doc, dict) else {}:
        check(key in allowed_top or key.startswith("x-"), f"top-level key {key!r} is known")
    for name, svc in services.items():
        check(isinstance(svc, dict) and ("image" in svc or "build" in svc),
              f"service {name} has an image or a build")
        for dep in (svc.get("depends_on") or {}) if isinstance(svc, dict) else {}:
            check(dep in services, f"service {name} depends on existing service {dep}")
    return services


def compose_contract(services: dict) -> None:
    mongo = services.get("mongo", {})
    check(str(mongo.get("image", "")).startswith("mongo:7"), "mongo runs MongoDB 7")
    command = " ".join(as_list(mongo.get("command")))
    check("--replSet" in command and "rs0" in command, "mongo is a replica set (--replSet rs0)")
    mongo_health = " ".join(as_list((mongo.get("healthcheck") or {}).get("test")))
    check("isWritablePrimary" in mongo_health, "mongo healthcheck waits for the primary")

    init = services.get("mongo-init", {})
    init_script = " ".join(as_list(init.get("entrypoint")) + as_list(init.get("command")))
    check("rs.initiate" in init_script, "mongo-init runs rs.initiate")
    check("NotYetInitialized" in init_script, "mongo-init initiates only once (checks rs.status)")
    check(str(init.get("restart", "no")) == "no", "mongo-init is one-shot (restart: no)")

    rabbit = services.get("rabbitmq", {})
    check(bool(re.match(r"rabbitmq:3\.13(\.\d+)?-management", str(rabbit.get("image", "")))),
          "rabbitmq is 3.13 with the management plugin")
    check(any(str(p).endswith(":15672") for p in as_list(rabbit.get("ports"))),
          "management UI published on 15672")
    check(bool((rabbit.get("healthcheck") or {}).get("test")), "rabbitmq has a healthcheck")

    app = services.get("bilheteria", {})
    build = app.get("build") or {}
    check(isinstance(build, dict) and str(build.get("dockerfile", "")).endswith("local/Dockerfile"),
          "bilheteria is built from local/Dockerfile")
    check(any(str(p).endswith(":8000") for p in as_list(app.get("ports"))), "bilheteria on 8000")
    env = env_of(app)
    check(env.get("MONGODB_URI") == "mongodb://mongo:27017/?replicaSet=rs0", "MONGODB_URI points at rs0")
    check(env.get("AMQP_URL") == "amqp://guest:guest@rabbitmq:5672/%2f", "AMQP_URL points at rabbitmq")
    check(len(env.get("JWT_SECRET", "").encode()) >= 32, "JWT_SECRET is at least 32 bytes")
    check(len(env.get("QUEUE_TOKEN_KEY", "").encode()) >= 32, "QUEUE_TOKEN_KEY is at least 32 bytes")
    for var in ("BILHETERIA_ADMIN_EMAIL", "BILHETERIA_ADMIN_PASSWORD"):
        check(bool(env.get(var)), f"{var} set")
    deps = app.get("depends_on") or {}
    check(isinstance(deps, dict), "bilheteria depends_on uses conditions")
    deps = deps if isinstance(deps, dict) else {}
    check((deps.get("mongo") or {}).get("condition") == "service_healthy", "waits for mongo healthy")
    check((deps.get("rabbitmq") or {}).get("condition") == "service_healthy", "waits for rabbitmq healthy")
    check((deps.get("mongo-init") or {}).get("condition") == "service_completed_successfully",
          "waits for mongo-init to complete")


def dockerfile_contract(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    # Join continuation lines, drop comments.
    logical = re.sub(r"\\\n", " ", text)
    lines = [l.strip() for l in logical.splitlines() if l.strip() and not l.strip().startswith("#")]
    args = {}
    for line in lines:
        m = re.match(r"ARG\s+(\w+)=(\S+)", line)
        if m:
            args[m.group(1)] = m.group(2)
    stages = []
    for line in lines:
        m = re.match(r"FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", line, re.I)
        if m:
            image = re.sub(r"\$\{(\w+)\}", lambda g: args.get(g.group(1), g.group(0)), m.group(1))
            stages.append((image, (m.group(2) or "").lower()))
    print("  stages: " + ", ".join(f"{n or '?'}={i}" for i, n in stages))
    check(len(stages) >= 3, "multi-stage (builder, site, runtime)")
    for image, name in stages:
        repo, _, tag = image.partition(":")
        check(bool(tag) and tag != "latest" and "$" not in tag, f"stage {name}: base image {image} is pinned")
    check(bool(stages) and stages[0][0].startswith("rust:"), "first stage builds with rust")
    check(any(i.startswith("node:") for i, _ in stages), "a node stage builds the site")
    check(bool(stages) and stages[-1][0].startswith("debian:") and "slim" in stages[-1][0],
          "runtime stage is debian-slim")
    check(re.search(r"cargo build --release[^\n]*-p bilheteria-local", logical) is not None,
          "cargo build --release -p bilheteria-local")
    check(re.search(r"npm run build", logical) is not None, "site built with npm run build")
    check(re.search(r"COPY --from=\S+\s+\S*dist/?\s+/app/site/dist/?", logical) is not None,
          "site copied to /app/site/dist")
    users = [l.split(None, 1)[1] for l in lines if l.upper().startswith("USER ")]
    check(bool(users) and users[-1].split(":")[0] not in ("root", "0"), "runs as a non-root USER")
    check(any(re.match(r"EXPOSE\s+8000\b", l) for l in lines), "EXPOSE 8000")
    cmd = " ".join(l for l in lines if l.upper().startswith(("CMD", "ENTRYPOINT")))
    check("seed" in cmd and "serve" in cmd and cmd.index("seed") < cmd.index("serve"),
          "runs seed, then serve")


def main() -> int:
    argv = sys.argv[1:]
    schema_only = "--schema-only" in argv
    argv = [a for a in argv if a != "--schema-only"]
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    compose_path, dockerfile = argv
    with open(compose_path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    print(f"{compose_path}: shape")
    services = compose_shape(doc)
    if not schema_only:
        print(f"{compose_path}: contract")
        compose_contract(services)
        print(f"{dockerfile}: contract")
        dockerfile_contract(dockerfile)
    print(f"{len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
