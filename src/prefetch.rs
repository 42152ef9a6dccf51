//! Asking for memory before it is read: for values that lie apart on the heap from what
//! points to them and are read soon after (a Parquet column's long texts, a firm's name, a
//! block of the firms' key filter).

/// Ask for the first bytes of `v` to be brought into the cache. A hint: it never faults
/// and changes no memory; on other processors than x86-64 it does nothing.
#[inline]
pub fn prefetch(v: &[u8]) {
    at(v.as_ptr());
}

/// Ask for the cache line that holds `v`, as [`prefetch`] does.
#[inline]
pub fn prefetch_value<T>(v: &T) {
    at((v as *const T).cast());
}

#[inline]
fn at(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint that never faults and changes no memory
    unsafe {
        core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
