#!/usr/bin/env bash
# Side-by-side: `koppel solve-dimacs` against the reference min-cost-flow solvers (LEMON
# NetworkSimplex, OR-Tools SimpleMinCostFlow via ../shared/bench/run-anchors) on the same
# exported cohort files, in one run. Prints solve times, costs, ratios and peak memory.
#
# usage: benches/allocation_vs_reference.sh [LEARNERS ...]   (default: 20000 100000 500000)
# Placements are half the learners, k = 32 candidates per learner. Needs ~8 GB of disk for 500k.
set -euo pipefail
cd "$(dirname "$0")/.."
anchors=${ANCHORS:-../shared/bench/run-anchors}
work=${WORK:-target/allocation-bench}
mkdir -p "$work"
cargo build --release --quiet
koppel=target/release/koppel
sizes=${*:-20000 100000 500000}
peak() { awk '/Maximum resident/ {printf "%.0f MB", $6/1024}' "$1"; }
printf '%-9s %-8s %-10s %-10s %-10s %-14s %-14s %s\n' learners arcs koppel_s lemon_s ortools_s "lemon/koppel" "ortools/koppel" "cost (koppel = lemon = ortools?)"
for n in $sizes; do
  m=$((n / 2))
  dir=$work/c$n
  file=$work/c$n.min
  if [ ! -f "$file" ]; then
    $koppel generate --learners "$n" --placements "$m" --seed "$n" --out "$dir" 2>/dev/null
    $koppel allocate --data "$dir" --k 32 --out "$dir/out" --export-dimacs "$file" >/dev/null
  fi
  /usr/bin/time -v $koppel solve-dimacs "$file" >"$work/k$n.out" 2>"$work/k$n.time"
  /usr/bin/time -v "$anchors" "$file" lemon >"$work/l$n.out" 2>"$work/l$n.time"
  /usr/bin/time -v "$anchors" "$file" ortools >"$work/o$n.out" 2>"$work/o$n.time"
  ks=$(awk '/^solve_s/ {print $2}' "$work/k$n.out"); kc=$(awk '/^cost/ {print $2}' "$work/k$n.out")
  ls=$(awk '/network_simplex_s/ {print $3}' "$work/l$n.out"); lc=$(awk '/network_simplex_s/ {print $7}' "$work/l$n.out")
  os=$(awk '/ortools_solve_s/ {print $3}' "$work/o$n.out"); oc=$(awk '/ortools_solve_s/ {print $7}' "$work/o$n.out")
  arcs=$(awk '/^p min/ {print $4; exit}' "$file")
  same=$([ "$kc" = "$lc" ] && [ "$kc" = "$oc" ] && echo "yes: $kc" || echo "NO: $kc / $lc / $oc")
  printf '%-9s %-8s %-10s %-10s %-10s %-14s %-14s %s\n' "$n" "$arcs" "$ks" "$ls" "$os" \
    "$(awk -v a="$ls" -v b="$ks" 'BEGIN {printf "%.1fx", a / b}')" \
    "$(awk -v a="$os" -v b="$ks" 'BEGIN {printf "%.1fx", a / b}')" "$same"
  echo "          peak memory: koppel $(peak "$work/k$n.time"), lemon $(peak "$work/l$n.time"), ortools $(peak "$work/o$n.time") (whole process, parsing included)"
done
