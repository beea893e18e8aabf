//! IAM Atlas core: the policy and account models, their loaders, and the queries the GUI and the command line
//! share. Nothing here depends on the GUI.
#![warn(missing_docs)]

pub mod account;
pub mod bundled;
pub mod catalog;
pub mod cli;
pub mod diagnostic;
pub mod diff;
pub mod edit;
pub mod escalate;
pub mod eval;
pub mod files;
pub mod generate;
pub mod graph;
pub mod json;
pub mod policy;
pub mod replay;
pub mod review;
pub mod sample;
pub mod search;
pub mod text;
pub mod time;
pub mod validate;
pub mod values;

#[cfg(feature = "gui")]
pub mod app;
