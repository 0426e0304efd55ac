use super::*;

const LT: Cell = Cell::hidden(Hidden::BelowThreshold);
const X: Cell = Cell::hidden(Hidden::Secondary);

/// A partition of the cohort into groups `(learners, placed)`, with its top line: the cells of
/// N, P, U, then per group (n, p).
struct Partition {
    t: Table,
    top: [CellId; 3],
    groups: Vec<(CellId, CellId)>,
}

fn partition(groups: &[(u64, u64)]) -> Partition {
    let mut t = Table::new();
    let (n, p): (u64, u64) = groups.iter().fold((0, 0), |(a, b), &(n, p)| (a + n, b + p));
    let top = [
        t.shown(n.into()),
        t.shown(p.into()),
        t.shown((n - p).into()),
    ];
    t.relate(top[0], &[top[1], top[2]]);
    let mut ids = Vec::new();
    let (mut ns, mut ps, mut us) = (Vec::new(), Vec::new(), Vec::new());
    for &(n, p) in groups {
        let (cn, cp, cu) = (
            t.group_size(n.into()),
            t.shown(p.into()),
            t.derived(Some(n - p)),
        );
        if n == 0 {
            [cn, cp, cu].into_iter().for_each(|c| t.exempt(c));
        }
        t.relate(cn, &[cp, cu]);
        ns.push(cn);
        ps.push(cp);
        us.push(cu);
        ids.push((cn, cp));
    }
    t.relate(top[0], &ns);
    t.relate(top[1], &ps);
    t.relate(top[2], &us);
    Partition {
        t,
        top,
        groups: ids,
    }
}

impl Partition {
    fn row(&self, g: usize) -> (Cell, Cell) {
        let (n, p) = self.groups[g];
        (self.t.cell(n), self.t.cell(p))
    }
}

#[test]
fn a_small_group_in_a_partition_takes_a_second_group_with_it() {
    let mut p = partition(&[(100, 60), (50, 30), (5, 2)]);
    p.t.protect();
    assert_eq!(p.row(2), (LT, LT));
    assert_eq!(p.row(1), (X, X), "the smaller other group covers it");
    assert_eq!(p.row(0), (Cell::Value(100), Cell::Value(60)));
    assert_eq!(p.t.cell(p.top[0]), Cell::Value(155));
    assert!(p.t.exposed().is_empty());
}

#[test]
fn everyone_placed_hides_the_placed_count_but_not_the_group() {
    // 15 of 15 placed: "not placed" is 0, a count below 10 that follows from the other two.
    let mut t = Table::new();
    let (n, p, u) = (
        t.group_size(15.into()),
        t.shown(15.into()),
        t.derived(Some(0)),
    );
    t.relate(n, &[p, u]);
    t.protect();
    assert_eq!((t.cell(n), t.cell(p)), (Cell::Value(15), X));
    // With 10 of 10, `×` (10 or more) of 10 would still say "all placed": the size goes.
    let mut t = Table::new();
    let (n, p, u) = (
        t.group_size(10.into()),
        t.shown(10.into()),
        t.derived(Some(0)),
    );
    t.relate(n, &[p, u]);
    t.protect();
    assert_eq!((t.cell(n), t.cell(p)), (X, Cell::Value(10)));
}

#[test]
fn empty_bins_do_not_leave_the_others_summing_to_the_total() {
    let mut t = Table::new();
    let total = t.shown(80.into());
    let bins: Vec<CellId> = [0u64, 0, 30, 50]
        .into_iter()
        .map(|v| t.shown(v.into()))
        .collect();
    t.relate(total, &bins);
    t.protect();
    let got: Vec<Cell> = bins.iter().map(|&b| t.cell(b)).collect();
    assert_eq!(got, [LT, LT, X, Cell::Value(50)]);
}

#[test]
fn an_empty_group_is_shown_as_zero_and_protects_nothing() {
    let mut p = partition(&[(100, 60), (5, 2), (0, 0)]);
    p.t.protect();
    assert_eq!(p.row(2), (Cell::Value(0), Cell::Value(0)));
    assert_eq!(p.row(1), (LT, LT));
    assert_eq!(
        p.row(0),
        (X, X),
        "the only other group with learners covers the small one"
    );
    assert!(p.t.exposed().is_empty());
}

#[test]
fn a_count_below_ten_in_no_relation_is_hidden_alone() {
    let mut t = Table::new();
    let (a, b) = (t.shown(3.into()), t.shown(12.into()));
    t.protect();
    assert_eq!((t.cell(a), t.cell(b)), (LT, Cell::Value(12)));
}

#[test]
fn two_small_cells_that_must_sum_to_eighteen_are_not_left_at_nine_each() {
    // 9 + 9 = 18: both "< 10" (0–9), and the published rest says they sum to 18.
    let mut t = Table::new();
    let total = t.shown(68.into());
    let parts = [t.shown(9.into()), t.shown(9.into()), t.shown(50.into())];
    t.relate(total, &parts);
    t.protect();
    assert_eq!(t.cell(parts[2]), X, "bounds alone would pin both at 9");
    assert!(t.exposed().is_empty());
}

#[test]
fn protecting_a_protected_table_changes_nothing() {
    let mut p = partition(&[(100, 60), (50, 30), (5, 2), (0, 0), (40, 39)]);
    p.t.protect();
    let first: Vec<Cell> = p
        .groups
        .iter()
        .flat_map(|&(n, c)| [p.t.cell(n), p.t.cell(c)])
        .collect();
    // Rebuild from what was published.
    let mut q = Table::new();
    let top: Vec<CellId> = p.top.iter().map(|&c| q.shown(p.t.cell(c))).collect();
    q.relate(top[0], &[top[1], top[2]]);
    let (mut ns, mut ps, mut us) = (Vec::new(), Vec::new(), Vec::new());
    let mut ids = Vec::new();
    for &(n, c) in &p.groups {
        let (cn, cp) = (q.group_size(p.t.cell(n)), q.shown(p.t.cell(c)));
        let u = match (p.t.cell(n).value(), p.t.cell(c).value()) {
            (Some(a), Some(b)) => Some(a - b),
            _ => None,
        };
        let cu = q.derived(u);
        if p.t.cell(n) == Cell::Value(0) {
            [cn, cp, cu].into_iter().for_each(|c| q.exempt(c));
        }
        q.relate(cn, &[cp, cu]);
        ns.push(cn);
        ps.push(cp);
        us.push(cu);
        ids.push((cn, cp));
    }
    q.relate(top[0], &ns);
    q.relate(top[1], &ps);
    q.relate(top[2], &us);
    q.protect();
    let again: Vec<Cell> = ids
        .iter()
        .flat_map(|&(n, c)| [q.cell(n), q.cell(c)])
        .collect();
    assert_eq!(first, again);
}

#[test]
fn cells_read_and_write_as_numbers_or_a_reason() {
    assert_eq!(serde_json::to_string(&Cell::Value(12)).unwrap(), "12");
    assert_eq!(
        serde_json::to_string(&LT).unwrap(),
        r#"{"suppressed":"below_threshold"}"#
    );
    assert_eq!(
        serde_json::from_str::<Cell>(r#"{"suppressed":"secondary"}"#).unwrap(),
        X
    );
    assert_eq!(serde_json::from_str::<Cell>("7").unwrap(), Cell::Value(7));
    assert!(serde_json::from_str::<Cell>("-1").is_err());
    assert!(serde_json::from_str::<Cell>(r#"{"suppressed":"maybe"}"#).is_err());
    assert_eq!(format!("{LT} {X} {}", Cell::Value(3)), "< 10 × 3");
    assert_eq!(share(Cell::Value(1), Cell::Value(4)), Some(0.25));
    assert_eq!(share(LT, Cell::Value(4)), None);
}

#[test]
fn a_zero_that_only_empty_groups_determine_does_not_hide_everything_else() {
    // `x` = the empty group's 0: nothing can hide it, and it is about no one.
    let mut t = Table::new();
    let empty = t.group_size(0.into());
    t.exempt(empty);
    let x = t.shown(0.into());
    t.relate(empty, &[x]);
    let (total, a, b) = (t.shown(70.into()), t.shown(30.into()), t.shown(40.into()));
    t.relate(total, &[a, b, x]);
    t.protect();
    assert_eq!(t.cell(x), LT);
    assert_eq!(
        [t.cell(total), t.cell(a), t.cell(b)],
        [70, 30, 40].map(Cell::Value)
    );
}
