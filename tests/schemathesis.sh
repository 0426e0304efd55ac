#!/usr/bin/env bash
# Property-based API test: schemathesis generates requests from the served OpenAPI document
# and runs every check on every response (status codes, content types, headers, schemas, no
# 5xx, invalid input rejected, schema-valid input accepted). Runs once per role, against a real
# server on a fresh database.
#
# Valid data is what a client holding that token knows to be valid: the served document lists
# the codes of the reference tables as enums, and this script narrows the scoped ones to the
# token's scope (the desk's employers, the advisor's regions), as a desk or an advisor knows
# whom they serve. The few rules JSON Schema cannot state are applied to the generated valid
# data by tests/schemathesis_hooks.py; what depends on stored records is configured per
# operation in tests/schemathesis.toml. Both files say exactly what and why.
#
# Usage: tests/schemathesis.sh [path/to/koppel]   (run from anywhere; ST=/path/to/st to use
# another schemathesis, else the pinned one of tests/python-tools.txt)
# Env: ST_MAX_EXAMPLES (default 25) examples per operation and phase.
set -euo pipefail
KOPPEL=$(realpath "${1:-target/debug/koppel}")
cd "$(dirname "$0")/.."
root=$(pwd)
if [ -z "${ST:-}" ]; then
  source tests/pytools.sh
  ST="$PYTOOLS/st"
fi
EXAMPLES=${ST_MAX_EXAMPLES:-25}
dir=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
source tests/serve.sh

regions=$(cut -d, -f1 fixtures/demo/regions.csv | tail -n +2 | head -20 | paste -sd,)
employer=$(head -1 fixtures/demo/placements.jsonl | sed 's/.*"employer":"\([^"]*\)".*/\1/')
token() { "$KOPPEL" token create --db "$dir/k.db" "$@" 2>/dev/null; }
declare -A tokens=(
  [advisor]=$(token --role advisor --region "$regions")
  [employer_desk]=$(token --role employer_desk --employer "$employer")
  [analyst]=$(token --role analyst)
  [admin]=$(token --role admin)
)
# The document as each role's client sees it: scoped enums narrowed to the token's scope.
declare -A scope=([advisor]="region $regions" [employer_desk]="employer $employer")
narrow() {
  python3 - "$base" "$@" <<'PY'
import json, sys, urllib.request
base, out = sys.argv[1:3]
doc = json.load(urllib.request.urlopen(base + "/openapi.json"))
if len(sys.argv) > 3:
    field, codes = sys.argv[3], set(sys.argv[4].split(","))
    records = {"region": ["LearnerRecord", "LearnerPatch"],
               "employer": ["PlacementRecord", "PlacementPatch"]}[field]
    for name in records:
        prop = doc["components"]["schemas"][name]["properties"][field]
        if "enum" not in prop:
            sys.exit(f"{name}.{field} has no enum to narrow")
        prop["enum"] = [c for c in prop["enum"] if c in codes]
json.dump(doc, open(out, "w"))
PY
}

status=0
for role in advisor employer_desk analyst admin; do
  echo "== schemathesis as $role"
  # shellcheck disable=SC2086 # the scope is two words: field and codes
  narrow "$dir/$role.json" ${scope[$role]:-}
  # From $dir, so that schemathesis' cache of failures stays out of the repository.
  (cd "$dir" && PYTHONPATH="$root/tests" SCHEMATHESIS_HOOKS=schemathesis_hooks \
    "$ST" --config-file "$root/tests/schemathesis.toml" run "$dir/$role.json" --url "$base" \
    -H "Authorization: Bearer ${tokens[$role]}" \
    --checks all \
    --phases examples,coverage,fuzzing --max-examples "$EXAMPLES" \
    --seed 1 --warnings off --workers 2) || status=1
done
if grep -q '"status":5\|status=5' "$dir/log"; then
  echo "the server logged a 5xx"; status=1
fi
exit $status
