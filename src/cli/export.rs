//! `iam-atlas export`: the model and the effective-permission facts as Parquet files or openCypher.

use crate::cli::load;
use crate::export::{Format, Table, export};
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

/// The formats `export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// One Parquet file per table (DuckDB, Spark, Trino, Athena).
    Parquet,
    /// One `iam-atlas.cypher` file of openCypher statements (Neo4j, Neptune).
    Cypher,
}

/// `iam-atlas export`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Exports and/or workspace files (several files = several accounts).
    #[arg(required_unless_present = "sample")]
    files: Vec<PathBuf>,
    /// Export the bundled sample organisation instead.
    #[arg(long, conflicts_with = "files")]
    sample: bool,
    /// What to write.
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// The directory to write into (created when missing; files of an earlier export there are replaced whole,
    /// input files never).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

/// Run `export`.
pub fn run(a: ExportArgs, out: &mut dyn Write) -> Result<(), String> {
    let model = load(&a.files, a.sample).map_err(|e| e.to_string())?;
    let format = match a.format {
        ExportFormat::Parquet => Format::Parquet,
        ExportFormat::Cypher => Format::Cypher,
    };
    // Every file the model was read from (a workspace's members too) is an input never to be written over.
    let mut inputs = a.files.clone();
    inputs.extend(model.sources.iter().map(|s| PathBuf::from(&s.name)));
    let (files, counts) = export(&model, format, &a.out, &inputs).map_err(|e| e.to_string())?;
    let io = |e: std::io::Error| e.to_string();
    for f in &files {
        writeln!(out, "wrote {}", f.display()).map_err(io)?;
    }
    let parts: Vec<String> = Table::ALL
        .iter()
        .map(|t| format!("{} {}", counts.get(*t), t.name()))
        .collect();
    writeln!(out, "rows: {}", parts.join(", ")).map_err(io)?;
    Ok(())
}
