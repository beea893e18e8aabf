//! `iam-atlas validate`: validate policy files or every policy of loaded snapshots.
