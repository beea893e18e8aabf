//! Graphs of the loaded organisation (petgraph underneath) and their layouts, as pure functions: no drawing.
//!
//! - The **identity graph** ([`identity`]): users → groups → policies (inline and managed), roles → policies,
//!   with permissions boundaries as a distinct edge kind.
//! - The **trust graph** ([`trust`]): who may assume each role (users, roles, whole accounts, AWS services,
//!   SAML/OIDC providers, `*`), each edge carrying the conditions of the trust statement that allows it;
//!   cross-account and `*` trust flagged; instance profiles → roles.
//! - Their nodes, edges and kinds ([`types`]), the filters that narrow them ([`filter`]), and their export as
//!   SVG and Graphviz DOT ([`export`]).
//!
//! - Their aggregation ([`aggregate`](mod@aggregate)): fan-outs folded into one summarised node per set of
//!   neighbours ("lambda.amazonaws.com → 6,695 roles"), risky edges always drawn one by one; and two
//!   snapshots in one graph ([`overlay`](mod@overlay)), what the second added and removed marked.
//!
//! Layouts return one position per node: [`layered`] (left to right, longest-path layering and barycentre
//! ordering) for the identity graph, [`clustered`] (connected components packed apart) for the trust graph.

mod across;
pub mod aggregate;
mod builder;
pub mod export;
pub mod filter;
pub mod identity;
pub mod layout;
pub mod overlay;
pub mod trust;
pub mod types;

pub use aggregate::{Aggregated, Group, GroupKey, Grouping, Groups, Risky, aggregate};
pub use filter::Filter;
pub use identity::{attached_to, identity_graph};
pub use layout::{
    Pos, clustered, clustered_sized, clustered_with_aspect, group_radius, layered, layered_sized,
};
pub use overlay::overlay;
pub use trust::{allows_assume, summarise_conditions, trust_graph};
pub use types::{
    Assumer, AtlasGraph, Change, ConditionKind, ConditionSummary, Edge, EdgeKind, GraphKind, Node,
    NodeKind,
};

use crate::account::Model;

/// Build the graph of `kind`.
pub fn build(model: &Model, kind: GraphKind) -> AtlasGraph {
    match kind {
        GraphKind::Identity => identity_graph(model),
        GraphKind::Trust => trust_graph(model),
    }
}

/// What the tests of the graph modules share: the bundled sample and its roles by name.
#[cfg(test)]
mod test_support {
    use crate::account::{EntityKind, EntityRef, Model};

    pub fn sample() -> Model {
        crate::sample::load_sample(Default::default()).expect("sample loads")
    }

    pub fn role(m: &Model, name: &str) -> EntityRef {
        *m.by_name(EntityKind::Role, name).first().expect(name)
    }

    /// A synthetic organisation of `roles` roles (and a quarter as many users), loaded from memory.
    pub fn synthetic(roles: usize, seed: u64) -> Model {
        struct Memory(String);
        impl crate::account::workspace::Files for Memory {
            fn read(
                &self,
                _: &std::path::Path,
            ) -> Result<crate::text::Text, crate::account::export::LoadError> {
                Ok(std::sync::Arc::new(self.0.clone()))
            }
        }
        let text = crate::generate::to_string(&crate::generate::Spec {
            account: "999988887777".into(),
            users: roles / 4,
            groups: 12,
            roles,
            policies: 40,
            seed,
            url_encoded: false,
            org: None,
        });
        crate::account::workspace::load_with(
            &Memory(text),
            &["synthetic.json".into()],
            Default::default(),
        )
        .expect("the synthetic export loads")
    }
}
