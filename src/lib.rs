//! IAM Atlas core: the policy and account models, their loaders, and the queries the GUI and the command line
//! share. Nothing here depends on the GUI.
#![warn(missing_docs)]
// Input never panics the core (no `unwrap`, `expect`, `panic!`, or slicing a string inside a character); tests
// may. Indexing is denied module by module where it is converted (see each module's header).
#![cfg_attr(
    not(test),
    deny(
        clippy::string_slice,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod account;
pub mod arn;
pub mod cancel;

pub mod catalog;
pub mod cli;
pub mod diagnostic;
pub mod diff;
pub mod edit;
pub mod escalate;
pub mod eval;
pub mod export;
pub mod files;
pub mod generate;
pub mod graph;
pub mod json;
pub mod lessons;
pub mod parts;
pub mod policy;
pub mod replay;
pub mod review;
pub mod sample;
pub mod sarif;
pub mod search;
pub mod text;
pub mod time;
pub mod validate;
pub mod values;
pub mod wildcard;

#[cfg(feature = "gui")]
pub mod app;
