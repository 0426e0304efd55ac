# Sourced by the API scripts: starts `$KOPPEL serve` on a free port with a fresh database in
# $dir (which the caller made), and sets $base (http://127.0.0.1:PORT) and $pid. The caller's
# EXIT trap stops it.
"$KOPPEL" serve --addr 127.0.0.1:0 --db "$dir/k.db" --rate-limit 100000 >"$dir/out" 2>"$dir/log" &
pid=$!
for _ in $(seq 1 200); do grep -q "listening on" "$dir/out" 2>/dev/null && break; sleep 0.05; done
base=$(sed -n 's/^koppel: listening on //p' "$dir/out")
[ -n "$base" ] || { echo "server did not start"; cat "$dir/log"; exit 1; }
