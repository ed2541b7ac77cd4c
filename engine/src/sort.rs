//! Stable sorting through one compiled copy of the standard library's sort.
//!
//! Every `sort`, `sort_by_key` or collect into a `BTreeMap` with a new element type or key
//! closure compiles its own copy of the standard sort, about 3 KB of wasm each; the browser build
//! had fifteen of them. These helpers sort positions with a single copy and then move the elements
//! into place, so the app carries the sort once. Results are exactly those of the standard
//! library's stable sort and of `collect` (for equal keys the last value wins).

use std::cmp::Ordering;
use std::collections::BTreeMap;

/// Sorts `items` stably in their natural order, as `slice::sort` does.
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// Sorts `items` stably by `key`, as `slice::sort_by_key` does.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `items` stably with `compare`, as `slice::sort_by` does.
pub fn sort_by<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let order = {
        let items = &*items;
        sorted_positions(
            items.len(),
            &mut |a, b| match (items.get(a), items.get(b)) {
                (Some(x), Some(y)) => compare(x, y),
                _ => Ordering::Equal,
            },
        )
    };
    permute(items, order);
}

/// The map of `pairs`, where a later pair replaces an earlier one with an equal key, as
/// `collect::<BTreeMap<_, _>>()` builds it.
pub fn map_from<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    for (k, v) in pairs {
        map.insert(k, v);
    }
    map
}

/// The positions `0..len` in the stable order `compare` gives them: the one sort that gets
/// compiled.
#[inline(never)]
fn sorted_positions(len: usize, compare: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    #[expect(
        clippy::disallowed_methods,
        reason = "the one place the standard sort is compiled"
    )]
    order.sort_by(|&a, &b| compare(a, b));
    order
}

/// Rearranges `items` so that position `i` holds the element that was at `order[i]`, following
/// each cycle of the permutation once.
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..order.len() {
        let mut current = start;
        // Visited positions point at themselves, which ends their cycle at once.
        while let Some(next) = order
            .get_mut(current)
            .map(|slot| std::mem::replace(slot, current))
        {
            if next == start {
                break;
            }
            items.swap(current, next);
            current = next;
        }
    }
}

#[cfg(test)]
mod tests {
    #![expect(
        clippy::disallowed_methods,
        reason = "the helpers are checked against the standard sorts"
    )]
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Same order as the standard stable sort, including the order of equal keys.
        #[test]
        fn sort_by_key_is_the_standard_stable_sort(items in proptest::collection::vec((0u8..6, any::<u16>()), 0..64)) {
            let mut expected = items.clone();
            expected.sort_by_key(|&(k, _)| k);
            let mut got = items;
            sort_by_key(&mut got, |&(k, _)| k);
            prop_assert_eq!(got, expected);
        }

        #[test]
        fn sort_is_the_standard_sort(items in proptest::collection::vec(".{0,3}", 0..64)) {
            let mut expected = items.clone();
            expected.sort();
            let mut got = items;
            sort(&mut got);
            prop_assert_eq!(got, expected);
        }

        /// Equal keys keep the last value, as `collect` does.
        #[test]
        fn map_from_is_collect(pairs in proptest::collection::vec((0u8..8, any::<u16>()), 0..32)) {
            let expected: BTreeMap<u8, u16> = pairs.iter().copied().collect();
            prop_assert_eq!(map_from(pairs), expected);
        }
    }

    #[test]
    fn reversing_a_long_list_moves_every_element() {
        let mut items: Vec<u32> = (0..1000).rev().collect();
        sort(&mut items);
        assert_eq!(items, (0..1000).collect::<Vec<u32>>());
    }
}
