//! The files of the compared trees grouped by source: every series of a file carries the
//! file's source ([`Policy::source_of`]), so files of different sources never share a key
//! and each group can be parsed and judged on its own, in source (hence key) order.

use crate::config::Policy;
use crate::scan::Tree;
use std::collections::BTreeMap;

/// The files of one source, per tree (indices into each tree's file list).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Group {
    pub files: Vec<Vec<usize>>,
}

/// Groups the files of `trees` by source, in source order.
pub(super) fn by_source(trees: &[&Tree], policy: &Policy) -> Vec<Group> {
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for (t, tree) in trees.iter().enumerate() {
        for (i, file) in tree.walk.files.iter().enumerate() {
            let group = groups
                .entry(policy.source_of(&file.rel_path))
                .or_insert_with(|| Group {
                    files: vec![Vec::new(); trees.len()],
                });
            group.files[t].push(i);
        }
    }
    groups.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::{CollectedFile, Walk};
    use crate::config::{KeyField, RewriteRule};
    use std::time::Duration;

    fn tree(paths: &[(&str, u64)]) -> Tree {
        Tree {
            walk: Walk {
                files: paths
                    .iter()
                    .map(|(p, size)| CollectedFile {
                        rel_path: p.to_string(),
                        abs_path: p.into(),
                        kind: String::new(),
                        size: *size,
                        modified: None,
                    })
                    .collect(),
                ..Walk::default()
            },
            collect: Duration::ZERO,
        }
    }

    #[test]
    fn stamped_files_of_both_trees_share_a_group_in_source_order() {
        let head = tree(&[("b/x_20251002-170837.json", 5), ("a.csv", 1)]);
        let base = tree(&[("b/x_20250930-101010.json", 7), ("c.csv", 2)]);
        let groups = by_source(&[&head, &base], &Policy::default());
        assert_eq!(
            groups,
            vec![
                Group {
                    files: vec![vec![1], vec![]]
                },
                Group {
                    files: vec![vec![0], vec![0]]
                },
                Group {
                    files: vec![vec![], vec![1]]
                },
            ]
        );
    }

    #[test]
    fn source_rewrite_rules_join_groups() {
        let head = tree(&[("run-1/a.csv", 1), ("run-2/a.csv", 1)]);
        let policy = Policy {
            rewrite: vec![RewriteRule {
                field: KeyField::Source,
                pattern: serde_json::from_str(r#""^run-\\d+/""#).unwrap(),
                replace: String::new(),
            }],
            ..Policy::default()
        };
        let groups = by_source(&[&head], &policy);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].files, vec![vec![0, 1]]);
    }
}
