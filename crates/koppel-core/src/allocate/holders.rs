//! Who holds the places of every placement: per placement a min-heap of `(ceiling, learner)`,
//! laid out in one flat array. A holder's ceiling is the highest price at which it still
//! prefers this placement to its best alternative (as last measured); the holder with the
//! lowest ceiling is the one a new bidder displaces.

/// Marks "nobody" (an unassigned learner's placement, an empty heap).
pub const FREE: u32 = u32::MAX;

/// Holders of every placement.
#[derive(Clone, Debug)]
pub struct Holders {
    start: Vec<u32>,
    held: Vec<u32>,
    heap: Vec<(i64, u32)>,
}

impl Holders {
    /// Room for `copies[j]` holders of every placement `j`; nobody holds anything yet.
    pub fn new(copies: impl Iterator<Item = usize>) -> Holders {
        let mut start = vec![0u32];
        for c in copies {
            let next = *start.last().unwrap() as usize + c;
            start.push(u32::try_from(next).expect("fewer than 2^32 places (one per arc at most)"));
        }
        let n = *start.last().unwrap() as usize;
        Holders {
            held: vec![0; start.len() - 1],
            start,
            heap: vec![(0, FREE); n],
        }
    }

    /// Places of `j`.
    #[inline]
    pub fn copies(&self, j: usize) -> usize {
        (self.start[j + 1] - self.start[j]) as usize
    }

    /// Places of `j` that are held.
    #[inline]
    pub fn held(&self, j: usize) -> usize {
        self.held[j] as usize
    }

    /// Whether every place of `j` is held.
    #[inline]
    pub fn is_full(&self, j: usize) -> bool {
        self.held[j] as usize == self.copies(j)
    }

    /// The holders of `j` with their ceilings, in heap order.
    #[cfg(test)]
    pub fn of(&self, j: usize) -> &[(i64, u32)] {
        let s = self.start[j] as usize;
        &self.heap[s..s + self.held[j] as usize]
    }

    /// The holder of `j` with the lowest ceiling.
    #[inline]
    pub fn lowest(&self, j: usize) -> Option<(i64, u32)> {
        (self.held[j] > 0).then(|| self.heap[self.start[j] as usize])
    }

    /// Adds a holder to `j`, which must not be full.
    pub fn push(&mut self, j: usize, ceiling: i64, who: u32) {
        debug_assert!(!self.is_full(j));
        let pos = self.held[j] as usize;
        self.heap[self.start[j] as usize + pos] = (ceiling, who);
        self.held[j] += 1;
        self.sift_up(j, pos);
    }

    /// Replaces the holder with the lowest ceiling by `who`; returns the one replaced.
    pub fn replace_lowest(&mut self, j: usize, ceiling: i64, who: u32) -> u32 {
        let s = self.start[j] as usize;
        let old = self.heap[s].1;
        self.heap[s] = (ceiling, who);
        self.sift_down(j, 0);
        old
    }

    /// Removes `who` from the holders of `j`.
    pub fn remove(&mut self, j: usize, who: u32) {
        let s = self.start[j] as usize;
        let n = self.held[j] as usize;
        let pos = self.heap[s..s + n]
            .iter()
            .position(|&(_, h)| h == who)
            .expect("removes a holder");
        self.held[j] -= 1;
        self.heap[s + pos] = self.heap[s + n - 1];
        if pos < n - 1 {
            self.sift_down(j, pos);
            self.sift_up(j, pos);
        }
    }

    /// Keeps the holders of `j` for which `keep` gives a ceiling (the new one) and drops the
    /// others, then restores the heap.
    pub fn retain(&mut self, j: usize, mut keep: impl FnMut(u32) -> Option<i64>) {
        let s = self.start[j] as usize;
        let mut n = 0;
        for k in 0..self.held[j] as usize {
            let who = self.heap[s + k].1;
            if let Some(c) = keep(who) {
                self.heap[s + n] = (c, who);
                n += 1;
            }
        }
        self.held[j] = n as u32;
        for pos in (0..n / 2).rev() {
            self.sift_down(j, pos);
        }
    }

    fn sift_down(&mut self, j: usize, mut pos: usize) {
        let (base, len) = (self.start[j] as usize, self.held[j] as usize);
        loop {
            let (l, r) = (2 * pos + 1, 2 * pos + 2);
            let mut least = pos;
            if l < len && self.heap[base + l] < self.heap[base + least] {
                least = l;
            }
            if r < len && self.heap[base + r] < self.heap[base + least] {
                least = r;
            }
            if least == pos {
                return;
            }
            self.heap.swap(base + pos, base + least);
            pos = least;
        }
    }

    fn sift_up(&mut self, j: usize, mut pos: usize) {
        let base = self.start[j] as usize;
        while pos > 0 {
            let parent = (pos - 1) / 2;
            if self.heap[base + parent] <= self.heap[base + pos] {
                return;
            }
            self.heap.swap(base + pos, base + parent);
            pos = parent;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lowest_ceiling_is_displaced_first() {
        let mut h = Holders::new([3usize, 1].into_iter());
        h.push(0, 30, 7);
        h.push(0, 10, 8);
        assert!(!h.is_full(0));
        h.push(0, 20, 9);
        assert!(h.is_full(0));
        assert_eq!(h.lowest(0), Some((10, 8)));
        assert_eq!(h.replace_lowest(0, 25, 5), 8);
        assert_eq!(h.lowest(0), Some((20, 9)));
        h.remove(0, 9);
        assert_eq!(h.lowest(0), Some((25, 5)));
        h.retain(0, |who| (who == 7).then_some(1));
        assert_eq!(h.of(0), &[(1, 7)]);
        assert_eq!(h.lowest(1), None);
    }
}
