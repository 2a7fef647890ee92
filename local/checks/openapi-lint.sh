#!/usr/bin/env bash
# Validates openapi.yaml (OpenAPI 3.1) offline with openapi-spec-validator, installed from
# PyPI into the cached venv the first time. Prints PASS/FAIL openapi-lint; exit code matches.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || { echo "FAIL openapi-lint (no repo root)"; exit 1; }

fail() { echo "openapi-lint: $*" >&2; echo "FAIL openapi-lint"; exit 1; }

spec="openapi.yaml"
[[ -f "$spec" ]] || fail "$spec not found in $(pwd)"

cache="${BILHETERIA_CACHE:-$HOME/.cache/bilheteria}"
venv="$cache/venv"
validator="$venv/bin/openapi-spec-validator"

if [[ ! -x "$validator" ]]; then
  command -v python3 >/dev/null || fail "python3 is required"
  mkdir -p "$cache" || fail "cannot create $cache"
  if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv" >&2 || fail "python3 -m venv failed (on Debian: apt-get install python3-venv)"
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    'openapi-spec-validator>=0.7,<1' >&2 || fail "could not install openapi-spec-validator"
fi

# Validates the document against the OpenAPI 3.1 meta-schema and resolves every $ref.
if ! "$validator" --schema 3.1.0 "$spec" >&2; then
  fail "$spec is not a valid OpenAPI 3.1 document"
fi

# Project rules the meta-schema cannot express.
"$venv/bin/python" - "$spec" <<'PY' >&2 || fail "$spec breaks a project rule"
import re, sys, yaml

doc = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
errors = []
if doc.get("openapi") != "3.1.0":
    errors.append("openapi must be 3.1.0")
functions = {"auth", "events", "admin-events", "orders", "dashboard", "gate", "payments-webhook", "queue"}
seen_ids = set()
for path, item in doc.get("paths", {}).items():
    if not path.startswith("/api/v1/"):
        errors.append(f"{path}: not under /api/v1/")
    for method, op in item.items():
        if method not in ("get", "put", "post", "delete", "patch"):
            continue
        where = f"{method.upper()} {path}"
        fn = op.get("x-lambda-function")
        if fn not in functions:
            errors.append(f"{where}: x-lambda-function {fn!r} is not one of {sorted(functions)}")
        elif op.get("tags") != [fn]:
            errors.append(f"{where}: tags must be [{fn}]")
        oid = op.get("operationId", "")
        if not re.fullmatch(r"[a-z][a-zA-Z0-9]*", oid):
            errors.append(f"{where}: operationId {oid!r} is not camelCase")
        if oid in seen_ids:
            errors.append(f"{where}: duplicate operationId {oid}")
        seen_ids.add(oid)
        if "security" not in op:
            errors.append(f"{where}: no per-operation security")
        codes = set(op.get("responses", {}))
        if not any(c.startswith("2") for c in codes):
            errors.append(f"{where}: no success response")
        for c in ("500", "503"):
            if c not in codes:
                errors.append(f"{where}: no {c} response")
        if op.get("security") and "401" not in codes:
            errors.append(f"{where}: secured but no 401 response")
        if "requestBody" in op:
            for c in ("400", "422"):
                if c not in codes:
                    errors.append(f"{where}: has a body but no {c} response")
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
PY

echo "PASS openapi-lint"
