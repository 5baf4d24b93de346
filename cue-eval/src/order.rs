//! Output order of struct fields, as the reference computes it.
//!
//! Field order in `cue export` and `cue eval` output is not insertion order.
//! For each struct literal that contributed to a vertex (in the order they
//! were unified in), take the labels of its regular and optional field
//! declarations; append one list of the labels that no declaration names
//! (dynamic fields, fields made by comprehensions); then merge the lists
//! with a Kahn-style topological merge (`sortArcs` in the reference's
//! `internal/core/export/toposort.go`):
//!
//! 1. count, for each label, how many lists hold it after their first place;
//! 2. scan the lists in order; at the first list whose head has a count
//!    that is not positive, pop the head (ranking it next if it has no rank
//!    yet), decrement the new head's count **only if that list still has
//!    more than one element**, and restart the scan from the first list;
//! 3. if every head is blocked, set the count of the first non-empty list's
//!    head to 0 and go on.
//!
//! The quirk in step 2 is observable: `w: {k: 1, j: 2}, w: l: 3` exports
//! `k, l, j`.

use std::collections::HashMap;
use std::hash::Hash;

/// Ranks labels by merging the per-struct label lists; rank 0 comes first.
///
/// Every label of every list gets a distinct rank.
pub fn sort_arcs<L: Copy + Eq + Hash>(fronts: &[Vec<L>]) -> HashMap<L, usize> {
    // Counts as in the reference: positive = blocked by that many lists,
    // 0 = free, negative = already ranked (rank = -count - 1).
    let mut counts: HashMap<L, i64> = HashMap::new();
    for list in fronts {
        for &l in list.iter().skip(1) {
            *counts.entry(l).or_insert(0) += 1;
        }
    }
    let mut heads: Vec<&[L]> = fronts.iter().map(Vec::as_slice).collect();
    let mut next_rank: i64 = -1;
    'outer: loop {
        for list in heads.iter_mut() {
            if let Some((&f, rest)) = list.split_first() {
                let n = counts.get(&f).copied().unwrap_or(0);
                if n > 0 {
                    continue;
                }
                *list = rest;
                if rest.len() > 1 {
                    if let Some(c) = counts.get_mut(&rest[0]) {
                        if *c > 0 {
                            *c -= 1;
                        }
                    }
                }
                if n == 0 {
                    counts.insert(f, next_rank);
                    next_rank -= 1;
                }
                continue 'outer;
            }
        }
        // Every head is blocked: a cycle between lists; break it at the
        // first non-empty list.
        match heads.iter().find_map(|l| l.first()) {
            Some(&f) => {
                counts.insert(f, 0);
            }
            None => break,
        }
    }
    counts
        .into_iter()
        .map(|(l, c)| (l, (-c - 1) as usize))
        .collect()
}

/// The labels of `fronts`, merged into output order.
pub fn sorted_labels<L: Copy + Eq + Hash>(fronts: &[Vec<L>]) -> Vec<L> {
    let ranks = sort_arcs(fronts);
    let mut out: Vec<(usize, L)> = ranks.into_iter().map(|(l, r)| (r, l)).collect();
    out.sort_unstable_by_key(|&(r, _)| r);
    out.into_iter().map(|(_, l)| l).collect()
}

/// The output order of a vertex's fields (`VertexFeatures`): `structs`
/// holds, per contributing struct literal in unification order, the labels
/// of its field declarations (empty lists are ignored); `arcs` are the
/// vertex's fields in insertion order. Arcs that no declaration names are
/// merged as one extra, last list. The result may name labels that have no
/// arc (optional fields); callers skip those.
pub fn vertex_order<L: Copy + Eq + Hash>(structs: &[Vec<L>], arcs: &[L]) -> Vec<L> {
    let mut fronts: Vec<Vec<L>> = structs.iter().filter(|s| !s.is_empty()).cloned().collect();
    let declared: std::collections::HashSet<L> = fronts.iter().flatten().copied().collect();
    let extra: Vec<L> = arcs
        .iter()
        .copied()
        .filter(|a| !declared.contains(a))
        .collect();
    if !extra.is_empty() {
        fronts.push(extra);
    }
    sorted_labels(&fronts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(lists: &[&[&'static str]]) -> Vec<&'static str> {
        let fronts: Vec<Vec<&str>> = lists.iter().map(|l| l.to_vec()).collect();
        sorted_labels(&fronts)
    }

    // Expected orders below were verified against cue v0.4.3 (notes §8).

    #[test]
    fn later_struct_field_lands_between() {
        // w: {k: 1, j: 2}, w: l: 3  →  k, l, j
        assert_eq!(order(&[&["k", "j"], &["l"]]), ["k", "l", "j"]);
    }

    #[test]
    fn repeated_field_moves_after_new_ones() {
        // b: {p: 1}, b: q: 2, b: {r: 3, p: 1}  →  q, r, p
        assert_eq!(order(&[&["p"], &["q"], &["r", "p"]]), ["q", "r", "p"]);
    }

    #[test]
    fn reference_then_literal() {
        // x: y & {b: 1, a: 1}, y: {a: 1, c: 2}  →  b, a, c
        assert_eq!(order(&[&["a", "c"], &["b", "a"]]), ["b", "a", "c"]);
        assert_eq!(order(&[&["b", "a"], &["a", "c"]]), ["b", "a", "c"]);
    }

    #[test]
    fn definition_embedding() {
        // #A: {a: int}, #E: {#A, c: int}  prints c before a: the outer
        // struct's declarations come first.
        assert_eq!(order(&[&["c"], &["a"]]), ["c", "a"]);
    }

    #[test]
    fn single_list_keeps_order() {
        assert_eq!(order(&[&["z", "a", "m"]]), ["z", "a", "m"]);
        assert!(order(&[]).is_empty());
    }

    #[test]
    fn consistent_lists_merge_topologically() {
        assert_eq!(
            order(&[&["a", "b", "c"], &["a", "x", "b", "c"]]),
            ["a", "x", "b", "c"]
        );
    }

    #[test]
    fn undeclared_arcs_merge_as_one_last_list() {
        // k: "dyn", a: 1, b: 2, "\(k)": 3  exports  k, a, dyn, b
        // (verified with cue v0.4.3: the same quirk as above).
        let structs = vec![vec!["k", "a", "b"], vec![]];
        assert_eq!(
            vertex_order(&structs, &["k", "a", "b", "dyn"]),
            ["k", "a", "dyn", "b"]
        );
        assert_eq!(vertex_order::<&str>(&[], &["y", "x"]), ["y", "x"]);
    }

    #[test]
    fn ranks_are_distinct() {
        let fronts = vec![vec![1, 2, 3], vec![3, 2, 1], vec![4]];
        let ranks = sort_arcs(&fronts);
        let mut r: Vec<usize> = ranks.values().copied().collect();
        r.sort_unstable();
        assert_eq!(r, [0, 1, 2, 3]);
    }
}
