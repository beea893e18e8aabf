//! The Parquet writer of an export: one file per [`Table`], each written under a temporary name and renamed
//! into place when complete, rows buffered by column and flushed as a row group every [`ROW_GROUP`] rows (memory
//! stays bounded whatever the model's size). Uncompressed, dictionary-encoded (the `parquet` crate's defaults
//! without codecs): what repeats in these tables is strings, which dictionaries already shrink.
//!
//! Lists are Parquet's standard three-level `LIST` (a repeated group `list` of `element`), which DuckDB, Spark,
//! Trino and Athena read as arrays of strings.

use super::{ColumnType, ExportError, Sink, Table, Value};
use crate::files::Staged;
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, Int32Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::sync::Arc;

/// Rows per row group.
pub const ROW_GROUP: usize = 65_536;

/// One column's values since the last flush, with Parquet's definition and repetition levels where the type
/// has them.
enum Buf {
    Text(Vec<ByteArray>),
    OptText(Vec<ByteArray>, Vec<i16>),
    Bool(Vec<bool>),
    Int(Vec<i32>),
    List(Vec<ByteArray>, Vec<i16>, Vec<i16>),
}

impl Buf {
    fn new(t: ColumnType) -> Buf {
        match t {
            ColumnType::Text => Buf::Text(Vec::new()),
            ColumnType::OptText => Buf::OptText(Vec::new(), Vec::new()),
            ColumnType::Bool => Buf::Bool(Vec::new()),
            ColumnType::Int => Buf::Int(Vec::new()),
            ColumnType::List => Buf::List(Vec::new(), Vec::new(), Vec::new()),
        }
    }

    fn push(&mut self, v: &Value<'_>) -> bool {
        match (self, v) {
            (Buf::Text(vals), Value::Text(s)) => vals.push(ByteArray::from(*s)),
            (Buf::OptText(vals, defs), Value::OptText(s)) => match s {
                Some(s) => {
                    vals.push(ByteArray::from(*s));
                    defs.push(1);
                }
                None => defs.push(0),
            },
            (Buf::OptText(vals, defs), Value::Text(s)) => {
                vals.push(ByteArray::from(*s));
                defs.push(1);
            }
            (Buf::Bool(vals), Value::Bool(b)) => vals.push(*b),
            (Buf::Int(vals), Value::Int(i)) => vals.push(*i),
            (Buf::List(vals, defs, reps), Value::List(items)) => {
                if items.is_empty() {
                    // An empty list: one entry at level 0, no value.
                    defs.push(0);
                    reps.push(0);
                }
                for (i, s) in items.iter().enumerate() {
                    vals.push(ByteArray::from(s.as_str()));
                    defs.push(1);
                    reps.push(if i == 0 { 0 } else { 1 });
                }
            }
            _ => return false,
        }
        true
    }

    fn clear(&mut self) {
        match self {
            Buf::Text(v) => v.clear(),
            Buf::OptText(v, d) => {
                v.clear();
                d.clear();
            }
            Buf::Bool(v) => v.clear(),
            Buf::Int(v) => v.clear(),
            Buf::List(v, d, r) => {
                v.clear();
                d.clear();
                r.clear();
            }
        }
    }
}

/// The message type of `table`, in Parquet's schema language.
pub fn schema(table: Table) -> String {
    let mut s = format!("message {} {{\n", table.name());
    for (name, t) in table.columns() {
        let line = match t {
            ColumnType::Text => format!("  required binary {name} (STRING);\n"),
            ColumnType::OptText => format!("  optional binary {name} (STRING);\n"),
            ColumnType::Bool => format!("  required boolean {name};\n"),
            ColumnType::Int => format!("  required int32 {name};\n"),
            ColumnType::List => format!(
                "  required group {name} (LIST) {{\n    repeated group list {{\n      required binary element (STRING);\n    }}\n  }}\n"
            ),
        };
        s.push_str(&line);
    }
    s.push('}');
    s
}

/// One table's file being written.
struct TableFile {
    table: Table,
    staged: Staged,
    writer: SerializedFileWriter<BufWriter<File>>,
    bufs: Vec<Buf>,
    rows: usize,
}

impl TableFile {
    fn err(&self, e: impl std::fmt::Display) -> ExportError {
        ExportError::Parquet {
            path: self.staged.path().to_path_buf(),
            message: e.to_string(),
        }
    }

    fn flush(&mut self) -> Result<(), ExportError> {
        if self.rows == 0 {
            return Ok(());
        }
        let mut rg = self
            .writer
            .next_row_group()
            .map_err(|e| ExportError::Parquet {
                path: self.staged.path().to_path_buf(),
                message: e.to_string(),
            })?;
        let mut i = 0usize;
        let result = (|| -> parquet::errors::Result<()> {
            while let Some(mut col) = rg.next_column()? {
                let Some(buf) = self.bufs.get(i) else {
                    return Err(parquet::errors::ParquetError::General(
                        "more columns than the table has".into(),
                    ));
                };
                match buf {
                    Buf::Text(v) => {
                        col.typed::<ByteArrayType>().write_batch(v, None, None)?;
                    }
                    Buf::OptText(v, d) => {
                        col.typed::<ByteArrayType>().write_batch(v, Some(d), None)?;
                    }
                    Buf::Bool(v) => {
                        col.typed::<BoolType>().write_batch(v, None, None)?;
                    }
                    Buf::Int(v) => {
                        col.typed::<Int32Type>().write_batch(v, None, None)?;
                    }
                    Buf::List(v, d, r) => {
                        col.typed::<ByteArrayType>()
                            .write_batch(v, Some(d), Some(r))?;
                    }
                }
                col.close()?;
                i += 1;
            }
            rg.close()?;
            Ok(())
        })();
        result.map_err(|e| self.err(e))?;
        self.bufs.iter_mut().for_each(Buf::clear);
        self.rows = 0;
        Ok(())
    }
}

/// A directory of Parquet files, one per table, all committed by [`ParquetDir::finish`].
pub struct ParquetDir {
    files: Vec<TableFile>,
}

impl ParquetDir {
    /// Start the files of every table in `dir` (which must exist).
    pub fn create(dir: &Path) -> Result<ParquetDir, ExportError> {
        let props = Arc::new(WriterProperties::builder().build());
        let mut files = Vec::with_capacity(Table::ALL.len());
        for table in Table::ALL {
            let path = dir.join(format!("{}.parquet", table.name()));
            let perr = |e: parquet::errors::ParquetError| ExportError::Parquet {
                path: path.clone(),
                message: e.to_string(),
            };
            let schema =
                parquet::schema::parser::parse_message_type(&schema(table)).map_err(perr)?;
            let (staged, w) = Staged::create(&path).map_err(|source| ExportError::Io {
                path: path.clone(),
                source,
            })?;
            let writer =
                SerializedFileWriter::new(w, Arc::new(schema), props.clone()).map_err(perr)?;
            files.push(TableFile {
                table,
                staged,
                writer,
                bufs: table.columns().iter().map(|(_, t)| Buf::new(*t)).collect(),
                rows: 0,
            });
        }
        Ok(ParquetDir { files })
    }

    /// Write what is buffered, close every file and rename each into place.
    pub fn finish(self) -> Result<(), ExportError> {
        for mut f in self.files {
            f.flush()?;
            let path = f.staged.path().to_path_buf();
            let w = f.writer.into_inner().map_err(|e| ExportError::Parquet {
                path: path.clone(),
                message: e.to_string(),
            })?;
            f.staged
                .commit(w)
                .map_err(|source| ExportError::Io { path, source })?;
        }
        Ok(())
    }
}

impl Sink for ParquetDir {
    fn row(&mut self, table: Table, values: &[Value<'_>]) -> Result<(), ExportError> {
        let Some(f) = self.files.iter_mut().find(|f| f.table == table) else {
            return Ok(());
        };
        if values.len() != f.bufs.len() || !f.bufs.iter_mut().zip(values).all(|(b, v)| b.push(v)) {
            return Err(f.err(format!(
                "a row of `{}` does not have the table's columns",
                table.name()
            )));
        }
        f.rows += 1;
        if f.rows >= ROW_GROUP {
            f.flush()?;
        }
        Ok(())
    }
}
