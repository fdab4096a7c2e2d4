//! Labels and label selectors, evaluated as the API server evaluates them.

use plimsoll_yaml::Node;

/// A set of labels, sorted by key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Labels(pub Vec<(Box<str>, Box<str>)>);

impl Labels {
    pub fn from_node(node: Option<Node<'_>>) -> Labels {
        let mut v: Vec<(Box<str>, Box<str>)> = node
            .into_iter()
            .flat_map(|n| n.entries())
            .filter_map(|(k, v)| Some((k.text()?.into(), v.text().unwrap_or("").into())))
            .collect();
        v.sort();
        v.dedup_by(|a, b| a.0 == b.0);
        Labels(v)
    }

    pub fn from_pairs<'s>(pairs: impl IntoIterator<Item = (&'s str, &'s str)>) -> Labels {
        let mut v: Vec<(Box<str>, Box<str>)> = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        v.sort();
        v.dedup_by(|a, b| a.0 == b.0);
        Labels(v)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .binary_search_by(|(k, _)| (**k).cmp(key))
            .ok()
            .map(|i| &*self.0[i].1)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (&**k, &**v))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
    /// An operator the API server would reject: matches nothing.
    Invalid,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Requirement {
    pub key: Box<str>,
    pub op: Operator,
    pub values: Vec<Box<str>>,
}

impl Requirement {
    pub fn matches(&self, labels: &Labels) -> bool {
        let v = labels.get(&self.key);
        match self.op {
            Operator::In => v.is_some_and(|v| self.values.iter().any(|x| &**x == v)),
            Operator::NotIn => v.is_none_or(|v| !self.values.iter().any(|x| &**x == v)),
            Operator::Exists => v.is_some(),
            Operator::DoesNotExist => v.is_none(),
            Operator::Invalid => false,
        }
    }
}

/// `matchLabels` plus `matchExpressions`. An empty selector selects everything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct LabelSelector {
    pub requirements: Vec<Requirement>,
}

impl LabelSelector {
    /// A `metav1.LabelSelector` (`matchLabels` and `matchExpressions`).
    pub fn from_node(node: Node<'_>) -> LabelSelector {
        let mut requirements = Vec::new();
        if let Some(ml) = node.get("matchLabels") {
            for (k, v) in ml.entries() {
                requirements.push(Requirement {
                    key: k.text().unwrap_or("").into(),
                    op: Operator::In,
                    values: vec![v.text().unwrap_or("").into()],
                });
            }
        }
        if let Some(me) = node.get("matchExpressions") {
            for e in me.items() {
                let op = match e.get_str("operator") {
                    Some("In") => Operator::In,
                    Some("NotIn") => Operator::NotIn,
                    Some("Exists") => Operator::Exists,
                    Some("DoesNotExist") => Operator::DoesNotExist,
                    _ => Operator::Invalid,
                };
                requirements.push(Requirement {
                    key: e.get_str("key").unwrap_or("").into(),
                    op,
                    values: e
                        .get("values")
                        .into_iter()
                        .flat_map(|v| v.items())
                        .filter_map(|v| v.text().map(Into::into))
                        .collect(),
                });
            }
        }
        LabelSelector { requirements }
    }

    /// A plain map selector (Service `spec.selector`, ReplicationController).
    pub fn from_map(node: Node<'_>) -> LabelSelector {
        LabelSelector {
            requirements: node
                .entries()
                .map(|(k, v)| Requirement {
                    key: k.text().unwrap_or("").into(),
                    op: Operator::In,
                    values: vec![v.text().unwrap_or("").into()],
                })
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plimsoll_yaml::{Limits, SourceFile, parse};
    use proptest::prelude::*;

    fn sel(yaml: &str) -> LabelSelector {
        let f = parse(SourceFile::new("s", yaml), &Limits::default());
        LabelSelector::from_node(f.node(f.documents[0].root.unwrap()))
    }

    #[test]
    fn match_labels_and_expressions() {
        let s = sel(
            "matchLabels: {app: web}\nmatchExpressions:\n- {key: tier, operator: In, values: [a, b]}\n- {key: canary, operator: DoesNotExist}\n",
        );
        assert!(s.matches(&Labels::from_pairs([("app", "web"), ("tier", "a")])));
        assert!(!s.matches(&Labels::from_pairs([("app", "web"), ("tier", "c")])));
        assert!(!s.matches(&Labels::from_pairs([
            ("app", "web"),
            ("tier", "a"),
            ("canary", "1")
        ])));
        assert!(!s.matches(&Labels::from_pairs([("tier", "a")])));
    }

    #[test]
    fn notin_matches_absent_keys_and_empty_selects_all() {
        let s = sel("matchExpressions:\n- {key: env, operator: NotIn, values: [prod]}\n");
        assert!(s.matches(&Labels::default()));
        assert!(!s.matches(&Labels::from_pairs([("env", "prod")])));
        assert!(sel("{}").matches(&Labels::from_pairs([("x", "y")])));
        assert!(!sel("matchExpressions: [{key: a, operator: Bogus}]").matches(&Labels::default()));
    }

    fn arb_labels() -> impl Strategy<Value = Vec<(String, String)>> {
        proptest::collection::vec(("[abc]", "[xyz]"), 0..4)
    }

    proptest! {
        /// matchLabels {k: v} behaves exactly like `In [v]`, and `NotIn` is the negation of `In`.
        #[test]
        fn in_and_notin_are_complements(labels in arb_labels(), key in "[abc]", vals in proptest::collection::vec("[xyz]", 1..3)) {
            let l = Labels::from_pairs(labels.iter().map(|(a, b)| (a.as_str(), b.as_str())));
            let values: Vec<Box<str>> = vals.iter().map(|v| v.as_str().into()).collect();
            let r_in = Requirement { key: key.as_str().into(), op: Operator::In, values: values.clone() };
            let r_not = Requirement { key: key.as_str().into(), op: Operator::NotIn, values };
            prop_assert_eq!(r_in.matches(&l), !r_not.matches(&l));
            let ex = Requirement { key: key.as_str().into(), op: Operator::Exists, values: vec![] };
            let dne = Requirement { key: key.as_str().into(), op: Operator::DoesNotExist, values: vec![] };
            prop_assert_eq!(ex.matches(&l), !dne.matches(&l));
            prop_assert_eq!(ex.matches(&l), l.get(&key).is_some());
        }

        /// A selector made of a pod's own labels always selects that pod, and adding a
        /// requirement never selects more pods.
        #[test]
        fn own_labels_select_and_requirements_narrow(labels in arb_labels(), other in arb_labels(), key in "[abc]", v in "[xyz]") {
            let l = Labels::from_pairs(labels.iter().map(|(a, b)| (a.as_str(), b.as_str())));
            let o = Labels::from_pairs(other.iter().map(|(a, b)| (a.as_str(), b.as_str())));
            let own = LabelSelector { requirements: l.iter().map(|(k, v)| Requirement { key: k.into(), op: Operator::In, values: vec![v.into()] }).collect() };
            prop_assert!(own.matches(&l));
            let mut narrower = own.clone();
            narrower.requirements.push(Requirement { key: key.as_str().into(), op: Operator::In, values: vec![v.as_str().into()] });
            prop_assert!(!narrower.matches(&o) || own.matches(&o));
        }
    }
}
