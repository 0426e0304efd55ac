//! A table of counts with its additive relations, and the suppression that protects it.

use super::{audit, Cell, Hidden, THRESHOLD};

/// A cell of a [`Table`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellId(pub(super) usize);

/// Where a cell stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum State {
    /// Shown with its value.
    Published,
    /// Below the threshold: hidden, and must not be derivable.
    Primary,
    /// Hidden so that a primary cell cannot be derived (10 or more).
    Secondary,
    /// Not shown (a derived cell such as a group's not-placed count) and not below the
    /// threshold, or of unknown value: may be derivable.
    Free,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Spec {
    /// The value; `None` when it came in withheld (or, for a derived cell, unknown).
    pub value: Option<u64>,
    /// The marker it came in with, for a withheld shown cell.
    pub marker: Option<Hidden>,
    /// Displayed: a hidden displayed cell shows its marker; a derived cell is never displayed.
    pub shown: bool,
    /// The least value `< 10` stands for here (1 for a group's size: an empty group shows 0).
    pub floor: u64,
    /// Published as is and never hidden (a cell of an empty group).
    pub exempt: bool,
    pub state: State,
}

/// `total = parts[0] + parts[1] + …`.
#[derive(Clone, Debug)]
pub(super) struct Relation {
    pub total: usize,
    pub parts: Vec<usize>,
}

/// Counts with the additive relations between them. Build it with [`Table::shown`],
/// [`Table::group_size`], [`Table::derived`] and [`Table::relate`], call [`Table::protect`],
/// then read each cell back with [`Table::cell`].
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub(super) cells: Vec<Spec>,
    pub(super) relations: Vec<Relation>,
}

/// How many candidate secondary cells are tried before the cheapest is taken anyway.
const TRIALS: usize = 16;

impl Table {
    /// An empty table.
    pub fn new() -> Table {
        Table::default()
    }

    fn push(
        &mut self,
        value: Option<u64>,
        marker: Option<Hidden>,
        shown: bool,
        floor: u64,
    ) -> CellId {
        let mut s = Spec {
            value,
            marker,
            shown,
            floor,
            exempt: false,
            state: State::Free,
        };
        s.state = initial(&s);
        self.cells.push(s);
        CellId(self.cells.len() - 1)
    }

    /// A displayed count (`< 10` stands for 0–9).
    pub fn shown(&mut self, cell: Cell) -> CellId {
        self.push(cell.value(), cell.why(), true, 0)
    }

    /// A displayed group size (`< 10` stands for 1–9, since an empty group is shown as 0 and
    /// marked with [`Table::exempt`]).
    pub fn group_size(&mut self, cell: Cell) -> CellId {
        self.push(cell.value(), cell.why(), true, 1)
    }

    /// A count that is never displayed but follows from others (a group's not-placed count),
    /// with its value if known.
    pub fn derived(&mut self, value: Option<u64>) -> CellId {
        self.push(value, None, false, 0)
    }

    /// Publishes a cell as is, never hiding it: the cells of a group without learners.
    pub fn exempt(&mut self, id: CellId) {
        let s = &mut self.cells[id.0];
        s.exempt = true;
        s.state = initial(s);
    }

    /// Adds the relation `total = Σ parts`.
    pub fn relate(&mut self, total: CellId, parts: &[CellId]) {
        self.relations.push(Relation {
            total: total.0,
            parts: parts.iter().map(|p| p.0).collect(),
        });
    }

    /// The cell as published after [`Table::protect`].
    pub fn cell(&self, id: CellId) -> Cell {
        let s = &self.cells[id.0];
        match (s.state, s.value) {
            (State::Published, Some(v)) => Cell::Value(v),
            (State::Primary, _) => Cell::hidden(Hidden::BelowThreshold),
            (State::Secondary, _) => Cell::hidden(Hidden::Secondary),
            // A derived cell has no marker; what it would show is what it is.
            (_, Some(v)) => Cell::Value(v),
            (_, None) => Cell::hidden(s.marker.unwrap_or(Hidden::Secondary)),
        }
    }

    /// Applies the rule (module documentation): primary suppression of every count below the
    /// threshold except in empty groups, then secondary suppression until no primary cell is
    /// derivable. Cells that came in withheld stay withheld. Pure and deterministic; applying
    /// it to its own output changes nothing.
    pub fn protect(&mut self) {
        // Primary suppression is each cell's initial state; each round hides one more cell or
        // sets one aside, so this ends.
        let mut fixed: Vec<usize> = Vec::new();
        for _ in 0..=2 * self.cells.len() {
            let exposed = audit::exposed(self);
            let Some(&x) = exposed.iter().find(|x| !fixed.contains(x)) else {
                return;
            };
            if self.beyond_repair(x) {
                // Determined by published cells of empty groups alone (a structural zero):
                // about no one, and hiding everything else would not change it.
                fixed.push(x);
                continue;
            }
            match self.pick(x) {
                Some(c) => self.cells[c].state = State::Secondary,
                None => return,
            }
        }
    }

    /// Primary cells that an attacker could work out exactly from what would be published now
    /// (empty after [`Table::protect`]).
    pub fn exposed(&self) -> Vec<CellId> {
        audit::exposed(self).into_iter().map(CellId).collect()
    }

    /// Whether `x` stays exposed even with every hideable cell hidden.
    fn beyond_repair(&self, x: usize) -> bool {
        let mut all = self.clone();
        for s in &mut all.cells {
            if s.state == State::Published && !s.exempt {
                s.state = State::Secondary;
            }
        }
        audit::exposed(&all).contains(&x)
    }

    /// The secondary cell to hide for the exposed cell `x`: among the published cells of the
    /// relations around `x`'s hidden neighbourhood, parts before totals, smallest first, the
    /// first that closes `x`'s exposure (or the cheapest if none does alone).
    fn pick(&mut self, x: usize) -> Option<usize> {
        let mut near = self.candidates(Some(x));
        if near.is_empty() {
            near = self.candidates(None);
        }
        for &c in near.iter().take(TRIALS) {
            self.cells[c].state = State::Secondary;
            let still = audit::exposed(self).contains(&x);
            self.cells[c].state = State::Published;
            if !still {
                return Some(c);
            }
        }
        near.first().copied()
    }

    /// Published, hideable cells in relations that touch the hidden cells connected to `x`
    /// through relations (or, with `None`, any hidden cell), cheapest first.
    fn candidates(&self, x: Option<usize>) -> Vec<usize> {
        let hidden = |c: usize| self.cells[c].state != State::Published;
        let mut reach = vec![false; self.cells.len()];
        match x {
            Some(x) => reach[x] = true,
            None => (0..self.cells.len()).for_each(|c| reach[c] = hidden(c)),
        }
        let mut used = vec![false; self.relations.len()];
        loop {
            let mut grew = false;
            for (i, r) in self.relations.iter().enumerate() {
                if used[i] || !members(r).any(|c| reach[c]) {
                    continue;
                }
                used[i] = true;
                let new: Vec<usize> = members(r).filter(|&c| hidden(c) && !reach[c]).collect();
                for c in new {
                    reach[c] = true;
                    grew = true;
                }
            }
            if !grew {
                break;
            }
        }
        let is_total: Vec<bool> = (0..self.cells.len())
            .map(|c| self.relations.iter().any(|r| r.total == c))
            .collect();
        let mut out: Vec<usize> = self
            .relations
            .iter()
            .zip(&used)
            .filter(|(_, &u)| u)
            .flat_map(|(r, _)| members(r))
            .filter(|&c| self.cells[c].state == State::Published && !self.cells[c].exempt)
            .collect();
        out.sort_by_key(|&c| (is_total[c], self.cells[c].value, c));
        out.dedup();
        out
    }
}

fn members(r: &Relation) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(r.total).chain(r.parts.iter().copied())
}

fn initial(s: &Spec) -> State {
    match (s.value, s.marker) {
        (_, Some(Hidden::BelowThreshold)) => State::Primary,
        (_, Some(Hidden::Secondary)) => State::Secondary,
        (Some(_), None) if s.exempt => State::Published,
        (Some(v), None) if v < THRESHOLD => State::Primary,
        (Some(_), None) if s.shown => State::Published,
        (Some(_), None) => State::Free,
        (None, None) => State::Free,
    }
}
