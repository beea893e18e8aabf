//! The evaluation engine: "may principal P do action A on resource R with context C?", answered as AWS would,
//! with the statements and layers that decided it; and the reverse questions (who can, what can, who can
//! assume which role).

pub mod condition;
pub mod decision;
pub mod engine;
pub mod howto;
pub mod index;
pub mod people;
pub mod proof;
pub mod protected;
pub mod request;
pub mod reverse;
pub mod suite;
pub mod truth_table;
pub mod witness;

pub use condition::Context;
pub use engine::{
    Brief, Decision, EvalResult, Layer, Overrides, Quick, Scratch, Verdict, decide, decide_brief,
    decide_brief_with, decide_with, evaluate,
};
pub use index::Prefilter;
pub use request::{Principal, PrincipalType, Request};
