#!/usr/bin/env bash
# The OpenAPI document is the contract, so it must be valid and complete for clients:
#  1. openapi-spec-validator accepts the checked-in document (docs/openapi.json) and the one a
#     running server serves (GET /openapi.json, with its reference codes as enums);
#  2. openapi-python-client generates a client from the served document without a warning, and
#     that client has a function for every operation of the document (it silently leaves out
#     what it cannot read, e.g. an operation whose operationId another one uses).
# The tools are pinned in tests/python-tools.txt and installed by tests/pytools.sh.
#
# Usage: tests/openapi_clients.sh [path/to/koppel]   (run from anywhere)
set -euo pipefail
KOPPEL=$(realpath "${1:-target/debug/koppel}")
cd "$(dirname "$0")/.."
source tests/pytools.sh
dir=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
source tests/serve.sh

"$PYTOOLS/python" - "$base" "$dir/served.json" <<'PY'
import json, sys, urllib.request
base, out = sys.argv[1:]
root = urllib.request.urlopen(base + "/openapi.json").read()
v1 = urllib.request.urlopen(base + "/v1/openapi.json").read()
assert json.loads(root) == json.loads(v1), "/openapi.json and /v1/openapi.json differ"
open(out, "wb").write(root)
PY
echo "== openapi-spec-validator"
"$PYTOOLS/openapi-spec-validator" docs/openapi.json "$dir/served.json"

echo "== openapi-python-client"
printf 'project_name_override: koppel-client\npackage_name_override: koppel_client\npost_hooks: []\n' >"$dir/config.yaml"
(cd "$dir" && "$PYTOOLS/openapi-python-client" generate --path served.json --config config.yaml \
  --meta none --output-path koppel_client --fail-on-warning)

"$PYTOOLS/python" - "$dir" <<'PY'
import importlib, json, re, sys
dir = sys.argv[1]
sys.path.insert(0, dir)
doc = json.load(open(f"{dir}/served.json"))
ops = [
    (method.upper(), path, op["operationId"], op["tags"][0])
    for path, item in doc["paths"].items()
    for method, op in item.items()
]
ids = [o[2] for o in ops]
dupes = sorted({i for i in ids if ids.count(i) > 1})
assert not dupes, f"operationIds used more than once: {dupes}"
missing = []
for method, path, op_id, tag in ops:
    module = f"koppel_client.api.{re.sub(r'[^a-z0-9_]', '_', tag.lower())}.{op_id}"
    try:
        m = importlib.import_module(module)
    except ImportError as e:
        missing.append(f"{method} {path} ({op_id}): no module {module}: {e}")
        continue
    for fn in ("sync", "sync_detailed", "asyncio", "asyncio_detailed"):
        if not callable(getattr(m, fn, None)):
            missing.append(f"{method} {path} ({op_id}): no {module}.{fn}")
if missing:
    sys.exit("operations without a generated function:\n  " + "\n  ".join(missing))
print(f"{len(ops)} operations, {len(ops)} generated functions (sync, sync_detailed, asyncio, asyncio_detailed each)")
PY
