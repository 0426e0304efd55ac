//! The places of every placement as priced copies: a min-heap of `(price, holder)` per
//! placement, laid out in one flat array. The cheapest copy is at the root of its slice.

/// Marks an unheld copy.
pub const FREE: u32 = u32::MAX;

/// Priced copies of every placement.
#[derive(Clone, Debug)]
pub struct Slots {
    start: Vec<usize>,
    price: Vec<i64>,
    holder: Vec<u32>,
}

impl Slots {
    /// `copies[j]` unheld copies at price 0 for every placement `j`.
    pub fn new(copies: impl Iterator<Item = usize>) -> Slots {
        let mut start = vec![0];
        for c in copies {
            start.push(start.last().unwrap() + c);
        }
        let n = *start.last().unwrap();
        Slots {
            start,
            price: vec![0; n],
            holder: vec![FREE; n],
        }
    }

    /// Slot range of placement `j`.
    #[inline]
    pub fn range(&self, j: usize) -> std::ops::Range<usize> {
        self.start[j]..self.start[j + 1]
    }

    /// Number of copies of `j`.
    #[inline]
    pub fn copies(&self, j: usize) -> usize {
        self.start[j + 1] - self.start[j]
    }

    /// Price of the cheapest copy (`i64::MAX` when `j` has no copies).
    #[inline]
    pub fn min_price(&self, j: usize) -> i64 {
        let r = self.range(j);
        if r.is_empty() {
            i64::MAX
        } else {
            self.price[r.start]
        }
    }

    /// Price of the second-cheapest copy, if there is one.
    #[inline]
    pub fn second_price(&self, j: usize) -> Option<i64> {
        let r = self.range(j);
        match r.len() {
            0 | 1 => None,
            2 => Some(self.price[r.start + 1]),
            _ => Some(self.price[r.start + 1].min(self.price[r.start + 2])),
        }
    }

    /// Holder of the cheapest copy.
    #[cfg(test)]
    pub fn min_holder(&self, j: usize) -> u32 {
        self.holder[self.start[j]]
    }

    /// Gives the cheapest copy of `j` to `who` at `price` (higher than its current price) and
    /// returns its previous holder.
    #[inline]
    pub fn take_cheapest(&mut self, j: usize, who: u32, price: i64) -> u32 {
        let s = self.start[j];
        let old = self.holder[s];
        self.price[s] = price;
        self.holder[s] = who;
        self.sift_down(j, 0);
        old
    }

    /// Every slot index with its price and holder.
    pub fn slot(&self, s: usize) -> (i64, u32) {
        (self.price[s], self.holder[s])
    }

    /// Marks slot `s` unheld (its price stays).
    pub fn release(&mut self, s: usize) {
        self.holder[s] = FREE;
    }

    /// Sets slot `s` (of placement `j`) to a lower price and holder.
    pub fn lower(&mut self, j: usize, s: usize, price: i64, who: u32) {
        debug_assert!(price <= self.price[s]);
        self.price[s] = price;
        self.holder[s] = who;
        self.sift_up(j, s - self.start[j]);
    }

    /// Slot of `who` among the copies of `j`.
    pub fn find(&self, j: usize, who: u32) -> Option<usize> {
        self.range(j).find(|&s| self.holder[s] == who)
    }

    /// Number of held copies of `j`.
    #[cfg(test)]
    pub fn held(&self, j: usize) -> usize {
        self.range(j).filter(|&s| self.holder[s] != FREE).count()
    }

    fn swap(&mut self, a: usize, b: usize) {
        self.price.swap(a, b);
        self.holder.swap(a, b);
    }

    fn sift_down(&mut self, j: usize, mut pos: usize) {
        let (base, len) = (self.start[j], self.copies(j));
        loop {
            let (l, r) = (2 * pos + 1, 2 * pos + 2);
            let mut least = pos;
            if l < len && self.price[base + l] < self.price[base + least] {
                least = l;
            }
            if r < len && self.price[base + r] < self.price[base + least] {
                least = r;
            }
            if least == pos {
                return;
            }
            self.swap(base + pos, base + least);
            pos = least;
        }
    }

    fn sift_up(&mut self, j: usize, mut pos: usize) {
        let base = self.start[j];
        while pos > 0 {
            let parent = (pos - 1) / 2;
            if self.price[base + parent] <= self.price[base + pos] {
                return;
            }
            self.swap(base + pos, base + parent);
            pos = parent;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cheapest_copy_is_taken_and_prices_stay_ordered() {
        let mut s = Slots::new([3usize, 1].into_iter());
        assert_eq!(s.min_price(0), 0);
        assert_eq!(s.take_cheapest(0, 7, 10), FREE);
        assert_eq!(s.take_cheapest(0, 8, 20), FREE);
        assert_eq!(s.take_cheapest(0, 9, 30), FREE);
        assert_eq!((s.min_price(0), s.second_price(0)), (10, Some(20)));
        assert_eq!(
            s.take_cheapest(0, 5, 40),
            7,
            "evicts the holder of the cheapest copy"
        );
        assert_eq!(s.min_price(0), 20);
        let slot = s.find(0, 9).unwrap();
        s.lower(0, slot, 0, FREE);
        assert_eq!((s.min_price(0), s.min_holder(0)), (0, FREE));
        assert_eq!(s.held(0), 2);
        assert_eq!(s.second_price(1), None);
    }
}
