//! Which primary cells an attacker can work out: exactly by the linear relations, or by
//! propagating the markers' bounds through them until an interval closes.

use super::table::{State, Table};
use super::THRESHOLD;

/// Stands for "no upper bound"; far above any count, far below `i128::MAX`.
const INF: i128 = 1 << 100;

/// Propagation rounds at most (each round tightens or ends; bounds stay valid when cut short).
const ROUNDS: usize = 256;

/// Primary cells that are derivable or pinned, in cell order.
pub(super) fn exposed(t: &Table) -> Vec<usize> {
    let primary: Vec<usize> = (0..t.cells.len())
        .filter(|&c| t.cells[c].state == State::Primary)
        .collect();
    if primary.is_empty() {
        return primary;
    }
    let (lo, hi) = bounds(t);
    let determined = determined(t);
    primary
        .into_iter()
        .filter(|&c| lo[c] >= hi[c] || !matches!(&determined, Some(d) if !d[c]))
        .collect()
}

/// What the attacker knows of each cell before using the relations.
fn known(t: &Table, c: usize) -> (i128, i128) {
    let s = &t.cells[c];
    let threshold = THRESHOLD as i128;
    match s.state {
        State::Published => {
            let v = s.value.unwrap_or(0) as i128;
            (v, v)
        }
        State::Primary if s.shown => (s.floor as i128, threshold - 1),
        State::Secondary => (threshold, INF),
        State::Primary | State::Free => (0, INF),
    }
}

/// Interval bounds of every cell after propagating `total = Σ parts` to a fixed point.
fn bounds(t: &Table) -> (Vec<i128>, Vec<i128>) {
    let n = t.cells.len();
    let (mut lo, mut hi): (Vec<i128>, Vec<i128>) = (0..n).map(|c| known(t, c)).unzip();
    let fixed: Vec<bool> = (0..n)
        .map(|c| t.cells[c].state == State::Published)
        .collect();
    let tighten = |lo: &mut [i128], hi: &mut [i128], c: usize, l: i128, h: i128| -> bool {
        if fixed[c] {
            return false;
        }
        // Clamped, so that contradictory input (a hand-edited file) cannot grow the bounds
        // without limit; a contradiction shows as `lo > hi`, which counts as exposed.
        let (l, h) = (l.clamp(0, INF), h.clamp(0, INF));
        let mut changed = false;
        if l > lo[c] {
            lo[c] = l;
            changed = true;
        }
        if h < hi[c] {
            hi[c] = h;
            changed = true;
        }
        changed
    };
    for _ in 0..ROUNDS {
        let mut changed = false;
        for r in &t.relations {
            let sum_lo: i128 = r.parts.iter().map(|&p| lo[p]).sum();
            let infinite = r.parts.iter().filter(|&&p| hi[p] >= INF).count();
            let finite_hi: i128 = r.parts.iter().map(|&p| hi[p]).filter(|&h| h < INF).sum();
            let sum_hi = if infinite > 0 { INF } else { finite_hi };
            changed |= tighten(&mut lo, &mut hi, r.total, sum_lo, sum_hi);
            for &p in &r.parts {
                let others_lo = sum_lo - lo[p];
                let others_inf = infinite - usize::from(hi[p] >= INF);
                let others_hi = if others_inf > 0 {
                    INF
                } else {
                    finite_hi - if hi[p] < INF { hi[p] } else { 0 }
                };
                let l = if others_hi >= INF {
                    0
                } else {
                    lo[r.total] - others_hi
                };
                let h = if hi[r.total] >= INF {
                    INF
                } else {
                    hi[r.total] - others_lo
                };
                changed |= tighten(&mut lo, &mut hi, p, l, h);
            }
        }
        if !changed {
            break;
        }
    }
    (lo, hi)
}

/// Per cell: whether the relations alone determine it from the published cells (its unit
/// vector lies in the row space of the relations restricted to the hidden cells). `None` if the
/// exact arithmetic would overflow (then everything counts as derivable, which only hides more).
fn determined(t: &Table) -> Option<Vec<bool>> {
    let n = t.cells.len();
    let hidden: Vec<usize> = (0..n)
        .filter(|&c| t.cells[c].state != State::Published)
        .collect();
    let mut col = vec![usize::MAX; n];
    for (j, &c) in hidden.iter().enumerate() {
        col[c] = j;
    }
    let m = hidden.len();
    let mut rows: Vec<Vec<i128>> = Vec::new();
    for r in &t.relations {
        let mut row = vec![0i128; m];
        let mut any = false;
        let mut add = |c: usize, k: i128| {
            if col[c] != usize::MAX {
                row[col[c]] += k;
                any = true;
            }
        };
        add(r.total, 1);
        for &p in &r.parts {
            add(p, -1);
        }
        if any && row.iter().any(|&v| v != 0) {
            rows.push(row);
        }
    }
    let pivots = reduce(&mut rows, m)?;
    let mut det = vec![false; n];
    for (row, j) in pivots {
        if rows[row].iter().enumerate().all(|(k, &v)| k == j || v == 0) {
            det[hidden[j]] = true;
        }
    }
    Some(det)
}

/// Fraction-free Gauss–Jordan elimination in place; the (row, column) of every pivot.
fn reduce(rows: &mut [Vec<i128>], m: usize) -> Option<Vec<(usize, usize)>> {
    let mut pivots = Vec::new();
    let mut r = 0;
    for j in 0..m {
        let Some(i) = (r..rows.len()).find(|&i| rows[i][j] != 0) else {
            continue;
        };
        rows.swap(i, r);
        for k in 0..rows.len() {
            if k == r || rows[k][j] == 0 {
                continue;
            }
            let (a, b) = (rows[r][j], rows[k][j]);
            let pivot = rows[r].clone();
            for (v, &q) in rows[k].iter_mut().zip(&pivot) {
                *v = v.checked_mul(a)?.checked_sub(q.checked_mul(b)?)?;
            }
            normalise(&mut rows[k]);
        }
        pivots.push((r, j));
        r += 1;
    }
    Some(pivots)
}

fn normalise(row: &mut [i128]) {
    let g = row.iter().fold(0i128, |g, &v| gcd(g, v.abs()));
    if g > 1 {
        row.iter_mut().for_each(|v| *v /= g);
    }
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}
