//! The places of every placement as priced copies: a min-heap of `(price, holder)` per
//! placement, laid out in one flat array. The cheapest copy is at the root of its slice.

/// Marks an unheld copy.
pub const FREE: u32 = u32::MAX;

/// Priced copies of every placement. A copy's price and holder sit side by side (one cache line
/// for both), and slot offsets are 32-bit: the auction touches these at random.
#[derive(Clone, Debug)]
pub struct Slots {
    start: Vec<u32>,
    copy: Vec<PricedCopy>,
}

#[derive(Clone, Copy, Debug)]
struct PricedCopy {
    price: i64,
    holder: u32,
}

impl Slots {
    /// `copies[j]` unheld copies at price 0 for every placement `j`.
    pub fn new(copies: impl Iterator<Item = usize>) -> Slots {
        let mut start = vec![0u32];
        for c in copies {
            let next = *start.last().unwrap() as usize + c;
            start.push(u32::try_from(next).expect("fewer than 2^32 copies (one per arc at most)"));
        }
        let n = *start.last().unwrap() as usize;
        Slots {
            start,
            copy: vec![
                PricedCopy {
                    price: 0,
                    holder: FREE
                };
                n
            ],
        }
    }

    /// Slot range of placement `j`.
    #[inline]
    pub fn range(&self, j: usize) -> std::ops::Range<usize> {
        self.start[j] as usize..self.start[j + 1] as usize
    }

    /// Number of copies of `j`.
    #[inline]
    pub fn copies(&self, j: usize) -> usize {
        (self.start[j + 1] - self.start[j]) as usize
    }

    /// Price of the cheapest copy (`i64::MAX` when `j` has no copies).
    #[inline]
    pub fn min_price(&self, j: usize) -> i64 {
        let r = self.range(j);
        if r.is_empty() {
            i64::MAX
        } else {
            self.copy[r.start].price
        }
    }

    /// Price of the second-cheapest copy, if there is one.
    #[inline]
    pub fn second_price(&self, j: usize) -> Option<i64> {
        let r = self.range(j);
        match r.len() {
            0 | 1 => None,
            2 => Some(self.copy[r.start + 1].price),
            _ => Some(
                self.copy[r.start + 1]
                    .price
                    .min(self.copy[r.start + 2].price),
            ),
        }
    }

    /// Holder of the cheapest copy.
    #[cfg(test)]
    pub fn min_holder(&self, j: usize) -> u32 {
        self.copy[self.start[j] as usize].holder
    }

    /// Gives the cheapest copy of `j` to `who` at `price` (higher than its current price) and
    /// returns its previous holder.
    #[inline]
    pub fn take_cheapest(&mut self, j: usize, who: u32, price: i64) -> u32 {
        let s = self.start[j] as usize;
        let old = self.copy[s].holder;
        self.copy[s] = PricedCopy { price, holder: who };
        self.sift_down(j, 0);
        old
    }

    /// Every slot index with its price and holder.
    pub fn slot(&self, s: usize) -> (i64, u32) {
        (self.copy[s].price, self.copy[s].holder)
    }

    /// Marks slot `s` unheld (its price stays).
    pub fn release(&mut self, s: usize) {
        self.copy[s].holder = FREE;
    }

    /// Sets slot `s` (of placement `j`) to a lower price and holder.
    pub fn lower(&mut self, j: usize, s: usize, price: i64, who: u32) {
        debug_assert!(price <= self.copy[s].price);
        self.copy[s] = PricedCopy { price, holder: who };
        self.sift_up(j, s - self.start[j] as usize);
    }

    /// Slot of `who` among the copies of `j`.
    pub fn find(&self, j: usize, who: u32) -> Option<usize> {
        self.range(j).find(|&s| self.copy[s].holder == who)
    }

    /// Number of held copies of `j`.
    #[cfg(test)]
    pub fn held(&self, j: usize) -> usize {
        self.range(j)
            .filter(|&s| self.copy[s].holder != FREE)
            .count()
    }

    fn swap(&mut self, a: usize, b: usize) {
        self.copy.swap(a, b);
    }

    #[inline]
    fn price(&self, s: usize) -> i64 {
        self.copy[s].price
    }

    fn sift_down(&mut self, j: usize, mut pos: usize) {
        let (base, len) = (self.start[j] as usize, self.copies(j));
        loop {
            let (l, r) = (2 * pos + 1, 2 * pos + 2);
            let mut least = pos;
            if l < len && self.price(base + l) < self.price(base + least) {
                least = l;
            }
            if r < len && self.price(base + r) < self.price(base + least) {
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
        let base = self.start[j] as usize;
        while pos > 0 {
            let parent = (pos - 1) / 2;
            if self.price(base + parent) <= self.price(base + pos) {
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
