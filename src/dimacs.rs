//! DIMACS `p min` interchange for cohort allocations, so that anyone can check an optimum with
//! their own min-cost-flow solver. Layout (documented in docs/data-format.md):
//!
//! - node 1 = source (supply = number of learners L), node 2 = sink (supply −L);
//! - learners are nodes 3..=L+2, placements follow (L+3..=N);
//! - `a 1 2 0 L 0` (staying unassigned), `a 1 learner 0 1 0` per learner,
//!   `a learner placement 0 1 −value` per candidate, `a placement 2 0 open_places 0` per placement.

use anyhow::{bail, Context, Result};
use koppel_core::allocate::CandidateGraph;
use std::io::Write;

/// Writes the graph in the Koppel layout.
pub fn write(g: &CandidateGraph, w: &mut impl Write) -> Result<()> {
    let (l, m) = (g.n_learners(), g.n_placements());
    let nodes = 2 + l + m;
    let arcs = 1 + l + g.n_arcs() + m;
    writeln!(
        w,
        "c Koppel cohort allocation: {l} learners, {m} placements, {} candidate arcs",
        g.n_arcs()
    )?;
    writeln!(
        w,
        "c node 1 source, node 2 sink, learners 3..={}, placements {}..={nodes}",
        l + 2,
        l + 3
    )?;
    writeln!(w, "p min {nodes} {arcs}")?;
    writeln!(w, "n 1 {l}")?;
    writeln!(w, "n 2 -{l}")?;
    writeln!(w, "a 1 2 0 {l} 0")?;
    let mut buf = itoa::Buffer::new();
    let mut line = Vec::with_capacity(64);
    for i in 0..l {
        let node = (i + 3) as u64;
        line.clear();
        line.extend_from_slice(b"a 1 ");
        line.extend_from_slice(buf.format(node).as_bytes());
        line.extend_from_slice(b" 0 1 0\n");
        w.write_all(&line)?;
    }
    for i in 0..l {
        let node = (i + 3) as u64;
        for a in g.arcs(i) {
            line.clear();
            line.extend_from_slice(b"a ");
            line.extend_from_slice(buf.format(node).as_bytes());
            line.push(b' ');
            line.extend_from_slice(buf.format(l as u64 + 3 + g.target(a) as u64).as_bytes());
            line.extend_from_slice(b" 0 1 ");
            line.extend_from_slice(buf.format(-(g.value(a) as i64)).as_bytes());
            line.push(b'\n');
            w.write_all(&line)?;
        }
    }
    for j in 0..m {
        writeln!(w, "a {} 2 0 {} 0", l + 3 + j, g.capacity(j))?;
    }
    Ok(())
}

/// Parses a file of the Koppel layout into a graph. Any other layout is an error that names the
/// line and what was expected there.
pub fn parse(text: &[u8]) -> Result<CandidateGraph> {
    let mut nodes: Option<u64> = None;
    let mut declared_arcs = 0u64;
    let mut learners: Option<u64> = None;
    let mut sink_supply: Option<i64> = None;
    let mut seen_arcs = 0u64;
    let mut unassigned_arc = false;
    let mut source_arc: Vec<bool> = Vec::new();
    let mut capacity: Vec<Option<u32>> = Vec::new();
    let mut triples: Vec<(u32, u32, i32)> = Vec::new();
    // Every learner and every placement has an arc line of its own, so a file of `lines`
    // lines has at most `lines + 2` nodes: what is allocated below is bounded by the file.
    let lines = text.split(|&b| b == b'\n').count() as u64;
    for (no, raw) in text.split(|&b| b == b'\n').enumerate() {
        let line_no = no + 1;
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        let mut toks: [&[u8]; 6] = [&[]; 6];
        let mut count = 0;
        for t in line
            .split(|b| b.is_ascii_whitespace())
            .filter(|t| !t.is_empty())
        {
            if count < toks.len() {
                toks[count] = t;
            }
            count += 1;
        }
        if count == 0 {
            continue;
        }
        let tag = toks[0];
        let int = |k: usize, what: &str| -> Result<i64> {
            let t = toks[k];
            if t.is_empty() {
                bail!("line {line_no}: missing {what}");
            }
            std::str::from_utf8(t)
                .ok()
                .and_then(|s| s.parse::<i64>().ok())
                .with_context(|| {
                    format!(
                        "line {line_no}: {what} `{}` is not an integer",
                        String::from_utf8_lossy(t)
                    )
                })
        };
        match tag {
            b"c" => {}
            b"p" => {
                let kind = toks[1];
                if kind != b"min" {
                    bail!(
                        "line {line_no}: expected `p min NODES ARCS`, got a `p {}` problem",
                        String::from_utf8_lossy(kind)
                    );
                }
                if nodes.is_some() {
                    bail!("line {line_no}: a second problem line");
                }
                let (n, a) = (int(2, "node count")?, int(3, "arc count")?);
                if n < 2 || a < 0 {
                    bail!("line {line_no}: {n} nodes and {a} arcs is not a Koppel cohort");
                }
                if n as u64 > lines + 2 || n > i64::from(u32::MAX) {
                    bail!("line {line_no}: {n} nodes, but a file of {lines} lines holds at most {} (each learner and placement has its own arc line)", (lines + 2).min(u64::from(u32::MAX)));
                }
                nodes = Some(n as u64);
                declared_arcs = a as u64;
            }
            b"n" => {
                let (id, supply) = (int(1, "node id")?, int(2, "supply")?);
                match id {
                    1 if supply >= 0 => {
                        let n = nodes.with_context(|| format!("line {line_no}: node line before the problem line"))?;
                        if supply as u64 + 2 > n {
                            bail!("line {line_no}: source supply {supply} (= learners) leaves no room for them in {n} nodes");
                        }
                        learners = Some(supply as u64);
                        source_arc = vec![false; supply as usize];
                        capacity = vec![None; (n - 2 - supply as u64) as usize];
                    }
                    2 => sink_supply = Some(supply),
                    _ => bail!("line {line_no}: only node 1 (source, supply = learners) and node 2 (sink) may have a supply, not node {id} ({supply})"),
                }
            }
            b"a" => {
                let (u, v, low, cap, cost) = (
                    int(1, "tail")?,
                    int(2, "head")?,
                    int(3, "lower bound")?,
                    int(4, "capacity")?,
                    int(5, "cost")?,
                );
                seen_arcs += 1;
                let l = learners.with_context(|| format!("line {line_no}: arc before `n 1 L` (the source supply gives the number of learners)"))? as i64;
                let n = nodes.expect("nodes known when learners are") as i64;
                let is_learner = |x: i64| (3..l + 3).contains(&x);
                let is_placement = |x: i64| (l + 3..=n).contains(&x);
                if low != 0 {
                    bail!(
                        "line {line_no}: lower bound {low}; the Koppel layout has lower bounds 0"
                    );
                }
                match (u, v) {
                    (1, 2) => {
                        if cap < l || cost != 0 {
                            bail!("line {line_no}: the unassigned arc 1→2 needs capacity ≥ {l} and cost 0");
                        }
                        unassigned_arc = true;
                    }
                    (1, x) if is_learner(x) => {
                        if cap != 1 || cost != 0 {
                            bail!("line {line_no}: source arc 1→{x} needs capacity 1 and cost 0");
                        }
                        let seen = &mut source_arc[(x - 3) as usize];
                        if *seen {
                            bail!("line {line_no}: a second source arc to learner node {x}");
                        }
                        *seen = true;
                    }
                    (x, y) if is_learner(x) && is_placement(y) => {
                        if cap != 1 {
                            bail!("line {line_no}: candidate arc {x}→{y} needs capacity 1, has {cap}");
                        }
                        let value = cost.checked_neg().and_then(|c| i32::try_from(c).ok()).filter(|v| v.abs() <= 1_000_000_000).with_context(|| format!("line {line_no}: cost {cost} is outside ±1,000,000,000"))?;
                        triples.push(((x - 3) as u32, (y - l - 3) as u32, value));
                    }
                    (y, 2) if is_placement(y) => {
                        if cost != 0 || !(0..=u32::MAX as i64).contains(&cap) {
                            bail!("line {line_no}: placement arc {y}→2 needs cost 0 and a capacity 0..=4294967295");
                        }
                        let slot = &mut capacity[(y - l - 3) as usize];
                        if slot.is_some() {
                            bail!("line {line_no}: a second sink arc from placement node {y}");
                        }
                        *slot = Some(cap as u32);
                    }
                    _ => bail!(
                        "line {line_no}: arc {u}→{v} does not fit the Koppel layout (1→2, 1→learner, learner→placement, placement→2 with learners 3..={} and placements {}..={n})",
                        l + 2,
                        l + 3
                    ),
                }
            }
            other => bail!(
                "line {line_no}: unknown line type `{}` (expected c, p, n or a)",
                String::from_utf8_lossy(other)
            ),
        }
    }
    let n = nodes.context("no problem line `p min NODES ARCS`")?;
    let l = learners.context("no source supply line `n 1 L`")?;
    if sink_supply != Some(-(l as i64)) {
        bail!("the sink (node 2) must have supply -{l}, found {sink_supply:?}");
    }
    if !unassigned_arc {
        bail!("no unassigned arc `a 1 2 0 {l} 0`");
    }
    if let Some(i) = source_arc.iter().position(|s| !s) {
        bail!(
            "learner node {} has no source arc `a 1 {} 0 1 0`",
            i + 3,
            i + 3
        );
    }
    if let Some(j) = capacity.iter().position(Option::is_none) {
        bail!(
            "placement node {} has no sink arc `a {} 2 0 CAPACITY 0`",
            j as u64 + l + 3,
            j as u64 + l + 3
        );
    }
    if seen_arcs != declared_arcs {
        bail!("the problem line declares {declared_arcs} arcs, the file has {seen_arcs}");
    }
    let _ = n;
    graph_from_triples(
        l as usize,
        capacity.into_iter().map(|c| c.unwrap_or(0)).collect(),
        triples,
    )
}

/// Rows from (learner, placement, value) triples; parallel arcs keep the best value.
fn graph_from_triples(
    l: usize,
    capacity: Vec<u32>,
    mut triples: Vec<(u32, u32, i32)>,
) -> Result<CandidateGraph> {
    triples.sort_unstable_by(|a, b| {
        (a.0, a.1, std::cmp::Reverse(a.2)).cmp(&(b.0, b.1, std::cmp::Reverse(b.2)))
    });
    triples.dedup_by(|next, kept| next.0 == kept.0 && next.1 == kept.1);
    let mut offsets = vec![0u32; l + 1];
    for t in &triples {
        offsets[t.0 as usize + 1] += 1;
    }
    for i in 0..l {
        offsets[i + 1] += offsets[i];
    }
    let targets = triples.iter().map(|t| t.1).collect();
    let values = triples.iter().map(|t| t.2).collect();
    Ok(CandidateGraph::new(offsets, targets, values, capacity)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> CandidateGraph {
        CandidateGraph::new(
            vec![0, 2, 3, 3],
            vec![0, 1, 0],
            vec![700, 650, 810],
            vec![1, 2],
        )
        .unwrap()
    }

    #[test]
    fn round_trip() {
        let g = sample();
        let mut out = Vec::new();
        write(&g, &mut out).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.contains("p min 7 9\n"), "{text}");
        assert!(text.contains("a 3 6 0 1 -700\n"), "{text}");
        assert!(text.contains("a 7 2 0 2 0\n"), "{text}");
        assert_eq!(parse(&out).unwrap(), g);
    }

    fn err(text: &str) -> String {
        format!("{:#}", parse(text.as_bytes()).unwrap_err())
    }

    #[test]
    fn names_the_line_of_a_foreign_layout() {
        let good = "p min 5 5\nn 1 2\nn 2 -2\na 1 2 0 2 0\na 1 3 0 1 0\na 1 4 0 1 0\na 3 5 0 1 -5\na 5 2 0 1 0\n";
        assert!(err(&good.replace("p min 5 5", "p max 5 5")).contains("line 1"));
        assert!(err(&good.replace("a 3 5 0 1 -5", "a 3 4 0 1 -5"))
            .contains("line 7: arc 3→4 does not fit"));
        assert!(err(&good.replace("n 2 -2", "n 4 -2")).contains("line 3"));
        assert!(err(&good.replace("a 3 5 0 1 -5", "a 3 5 0 2 -5"))
            .contains("line 7: candidate arc 3→5 needs capacity 1"));
        assert!(
            err(&good.replace("a 1 4 0 1 0\n", "")).contains("learner node 4 has no source arc")
        );
        assert!(err(&good.replace("p min 5 5", "p min 5 6"))
            .contains("declares 6 arcs, the file has 5"));
        assert!(parse(good.as_bytes()).is_ok());
    }
}
