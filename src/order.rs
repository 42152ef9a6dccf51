//! Sorting large slices of references stably with few reads of the rows themselves: the
//! hits are eleven million at national scale, each a pointer into memory the sort would
//! otherwise visit at random on every comparison.

use rayon::prelude::*;

/// A text's first 18 bytes (a USCC's length), zero-padded: compared as arrays, two such
/// prefixes order their texts as the texts themselves do, or tie.
pub fn text_prefix(s: &str) -> [u8; 18] {
    let mut prefix = [0; 18];
    let n = s.len().min(prefix.len());
    prefix[..n].copy_from_slice(&s.as_bytes()[..n]);
    prefix
}

/// `rows` sorted stably by `order`: by `key` first, a copy of each row's leading sort
/// fields that orders rows as `order` does or ties, then by `order`, so that most
/// comparisons read no row (at national scale eleven million rows, each a pointer into
/// the hits). Rows already in order are returned as they are.
pub fn sorted<'a, T: Sync, K: Ord + Send>(rows: Vec<&'a T>, key: impl Fn(&T) -> K + Sync, order: impl Fn(&T, &T) -> std::cmp::Ordering + Sync) -> Vec<&'a T> {
    if rows.par_windows(2).all(|w| order(w[0], w[1]).is_le()) {
        return rows;
    }
    let mut keyed: Vec<(K, &T)> = rows.into_par_iter().map(|r| (key(r), r)).collect();
    keyed.par_sort_by(|(ka, a), (kb, b)| ka.cmp(kb).then_with(|| order(a, b)));
    keyed.into_par_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Sorting by the prefix key first gives what a plain stable sort gives: texts of
        /// any length (shorter and longer than the prefix, with shared beginnings and NULs),
        /// and rows equal in order keep their places.
        #[test]
        fn a_sort_by_prefix_then_order_is_the_stable_sort(rows in proptest::collection::vec(("[ab\\x00]{0,20}", 0u8..3, 0u32..1000), 0..200)) {
            let order = |a: &(String, u8, u32), b: &(String, u8, u32)| a.0.as_bytes().cmp(b.0.as_bytes()).then(a.1.cmp(&b.1));
            let by_prefix: Vec<u32> = sorted(rows.iter().collect(), |r| text_prefix(&r.0), order).iter().map(|r| r.2).collect();
            let mut plain: Vec<&(String, u8, u32)> = rows.iter().collect();
            plain.sort_by(|a, b| order(a, b));
            proptest::prop_assert_eq!(by_prefix, plain.iter().map(|r| r.2).collect::<Vec<_>>());
        }
    }
}
