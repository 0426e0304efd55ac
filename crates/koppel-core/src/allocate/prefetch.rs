//! A cache hint for the solver's scattered reads: ask for the line holding `slice[i]` a little
//! before it is read, so that the wait for memory overlaps other work. The auction's next
//! bidder, the next rows to copy: the solver knows these addresses early, the hardware does
//! not.
//!
//! This is the workspace's only `unsafe`: the x86-64 prefetch instruction. It is a hint, not a
//! read: it never faults, writes nothing and does not change what any later load returns,
//! whatever the address. On other targets the hint is a no-op.

/// Hints that `slice[i]` will be read soon. An index past the end is harmless (nothing is
/// read), so callers need not check it.
#[inline(always)]
pub fn read<T>(slice: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    #[allow(unsafe_code)]
    // SAFETY: `_mm_prefetch` only hints the cache; it dereferences nothing and cannot fault, so
    // any address is sound, and `wrapping_add` computes one without undefined behaviour.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(slice.as_ptr().wrapping_add(i).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (slice, i);
}

#[cfg(test)]
mod tests {
    #[test]
    fn any_index_is_harmless() {
        let v = vec![1u64, 2, 3];
        super::read(&v, 0);
        super::read(&v, 1_000_000_000);
        super::read(&[] as &[u8], usize::MAX);
        assert_eq!(v, [1, 2, 3]);
    }
}
