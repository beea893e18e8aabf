//! What-if edits held by the model: which document was replaced and what it replaced. The editing itself
//! (parsing the new text, applying and reverting) is in the `edit` module, a layer above; the types live here so
//! that the model does not depend on the editor.

use crate::account::{EntityRef, PolicyDoc};

/// A document of the model that can be replaced: the ones evaluation reads.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DocTarget {
    /// The inline policy `name` of a user, group or role.
    Inline {
        /// The user, group or role.
        owner: EntityRef,
        /// The policy's name.
        name: String,
    },
    /// The default version of a managed policy.
    Managed(EntityRef),
    /// A role's trust policy.
    Trust(EntityRef),
    /// A resource policy.
    Resource(EntityRef),
    /// An SCP or RCP (index in [`crate::account::Model::org_policies`]).
    Org(u32),
}

/// A replaced document and what it replaced.
#[derive(Clone, Debug)]
pub struct WhatIf {
    /// Which document.
    pub target: DocTarget,
    /// The document as loaded, put back by [`crate::account::Model::revert_document`].
    pub original: PolicyDoc,
}
