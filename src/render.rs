//! Plain-text rendering of engine results for terminals.

use koppel_core::score::Explanation;
use std::fmt::Write;

/// One line per component: `outlook  0.750 × 250 = 187  chance of work 4/5 …`.
pub fn components(e: &Explanation, indent: &str) -> String {
    let mut s = String::new();
    for c in &e.components {
        let _ = writeln!(
            s,
            "{indent}{:<13} {:.3} × {:>3} = {:>3}  {}",
            c.component.as_str(),
            c.value,
            c.weight,
            c.contribution,
            c.note
        );
    }
    s
}

/// One line per failed constraint with its remedy.
pub fn violations(e: &Explanation, indent: &str) -> String {
    let mut s = String::new();
    for (v, r) in e.violations.iter().zip(&e.remedies) {
        let _ = writeln!(s, "{indent}✗ {v}\n{indent}  → would change with: {r}");
    }
    s
}
