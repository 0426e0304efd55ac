#!/usr/bin/env python3
"""Random allocation files in Koppel's DIMACS layout (docs/data-format.md), for checking
`koppel solve-dimacs` on shapes the cohort generator does not make: uniform random candidates,
heavy ties, wide values, large capacities.

usage: benches/random_dimacs.py LEARNERS PLACEMENTS K MAX_VALUE MAX_CAPACITY SEED > FILE.min
Every learner gets K distinct random placements with values 0..=MAX_VALUE (cost = -value);
every placement 0..=MAX_CAPACITY open places.
"""
import random
import sys

n, m, k, vmax, cmax, seed = map(int, sys.argv[1:7])
rnd = random.Random(seed)
arcs = []
for i in range(n):
    for j in rnd.sample(range(m), min(k, m)):
        arcs.append((3 + i, 3 + n + j, -rnd.randint(0, vmax)))
caps = [rnd.randint(0, cmax) for _ in range(m)]
out = sys.stdout
out.write(f"p min {n + m + 2} {1 + n + len(arcs) + m}\nn 1 {n}\nn 2 {-n}\na 1 2 0 {n} 0\n")
for i in range(n):
    out.write(f"a 1 {3 + i} 0 1 0\n")
for u, v, c in arcs:
    out.write(f"a {u} {v} 0 1 {c}\n")
for j in range(m):
    out.write(f"a {3 + n + j} 2 0 {caps[j]} 0\n")
