//! Reading CloudTrail events: the files CloudTrail delivers to S3 (`{"Records": [...]}`, gzipped or not), the
//! output of `aws cloudtrail lookup-events` (`{"Events": [{"CloudTrailEvent": "<json>"}]}`), a bare array of
//! records, or JSON lines (one record per line, as CloudTrail Lake and Athena exports write them); and folders
//! of such files.
//!
//! Every event keeps its origin (`file: $.Records[3]`), so a message about it names the place.

use serde_json::Value;
use serde_json::value::RawValue;
use std::io::Read;
use std::path::{Path, PathBuf};

/// An error reading a trail, with its place.
#[derive(Debug, thiserror::Error)]
pub enum TrailError {
    /// The file or folder could not be read.
    #[error("cannot read {path}: {message}")]
    Io {
        /// The path.
        path: String,
        /// The system's message.
        message: String,
    },
    /// Not JSON, or not one of the shapes above.
    #[error("{path}: {location}: {message}")]
    Invalid {
        /// The path.
        path: String,
        /// `line:col`, or the JSON path.
        location: String,
        /// What is wrong.
        message: String,
    },
}

/// One event as recorded, with where it was read.
#[derive(Debug, Clone)]
pub struct RawEvent {
    /// `file: $.Records[3]` or `file:12` (JSON lines).
    pub origin: String,
    /// The CloudTrail record's JSON text, syntax-checked but not parsed: each record is parsed where it is
    /// replayed, on every core, and its tree dropped after, so a trail of a million events is held as its text
    /// (about 1× the file) rather than as a million JSON trees (ten times it).
    pub record: Box<RawValue>,
}

impl RawEvent {
    /// The record, parsed. Its text was checked when it was read, so this fails only on a record nested too
    /// deep for the parser, which replay reports as an event it could not evaluate.
    pub fn value(&self) -> Result<Value, String> {
        serde_json::from_str(self.record.get()).map_err(|e| format!("cannot read the record: {e}"))
    }
}

/// At most this many bytes are read from one file (a decompressed file included): 2 GiB.
pub const MAX_FILE_BYTES: u64 = 2 << 30;

/// The trail files named by `paths`: files as given, folders walked (sorted, `.json`, `.json.gz`, `.jsonl`,
/// `.gz`).
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, TrailError> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| TrailError::Io {
            path: p.display().to_string(),
            message: e.to_string(),
        })?;
        if meta.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), TrailError> {
    let io = |e: std::io::Error| TrailError::Io {
        path: dir.display().to_string(),
        message: e.to_string(),
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        // Links are not followed: a loop of links would never end.
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            walk(&p, out)?;
        } else if meta.is_file() {
            let name = p.to_string_lossy().to_ascii_lowercase();
            if name.ends_with(".json") || name.ends_with(".gz") || name.ends_with(".jsonl") {
                out.push(p);
            }
        }
    }
    Ok(())
}

/// The bytes of a file, decompressed when it is gzipped (by its magic number, not its name).
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, TrailError> {
    let io = |e: std::io::Error| TrailError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let raw = crate::files::read_bytes_limited(path, MAX_FILE_BYTES).map_err(io)?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(raw.as_slice())
            .take(MAX_FILE_BYTES)
            .read_to_end(&mut out)
            .map_err(io)?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

/// The events of one file's bytes; `name` is used in origins and messages.
///
/// The file is read as text once and split into its records without building their trees (`RawValue`): the
/// records' texts are what is kept.
pub fn parse_events(name: &str, bytes: &[u8]) -> Result<Vec<RawEvent>, TrailError> {
    let invalid = |location: String, message: String| TrailError::Invalid {
        path: name.to_string(),
        location,
        message,
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let head = bytes.get(..e.valid_up_to()).unwrap_or_default();
            let line = head.iter().filter(|b| **b == b'\n').count() + 1;
            let line_start = head.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
            let col = String::from_utf8_lossy(head.get(line_start..).unwrap_or_default())
                .chars()
                .count()
                + 1;
            return Err(invalid(format!("{line}:{col}"), "not UTF-8 text".into()));
        }
    };
    if text.trim_start().is_empty() {
        return Ok(Vec::new());
    }
    let event = |origin: String, record: &RawValue| RawEvent {
        origin,
        record: record.to_owned(),
    };
    // The shape CloudTrail delivers, read in one pass (the general path below reads the text three times: a
    // third of a million-event replay's time). A document it does not fit (another shape, a key written twice)
    // takes the general path.
    #[derive(serde::Deserialize)]
    struct Delivered<'a> {
        #[serde(rename = "Records", borrow)]
        records: Vec<&'a RawValue>,
    }
    if text.trim_start().starts_with('{')
        && let Ok(d) = serde_json::from_str::<Delivered<'_>>(text)
    {
        return Ok(d
            .records
            .into_iter()
            .enumerate()
            .map(|(i, record)| event(format!("{name}: $.Records[{i}]"), record))
            .collect());
    }
    let top: &RawValue = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            // JSON lines: the whole is not one value, but its first line is.
            let first = text.lines().find(|l| !l.trim().is_empty());
            let lines = first.is_some_and(|l| serde_json::from_str::<&RawValue>(l).is_ok());
            if !lines {
                return Err(invalid(
                    format!("{}:{}", e.line(), e.column()),
                    format!("not JSON: {e}"),
                ));
            }
            let mut out = Vec::new();
            for (i, line) in text.split('\n').enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let record: &RawValue = serde_json::from_str(line).map_err(|e| {
                    invalid(
                        format!("{}:{}", i + 1, e.column()),
                        format!("not JSON: {e}"),
                    )
                })?;
                out.push(event(format!("{name}:{}", i + 1), record));
            }
            return Ok(out);
        }
    };
    let shape = |e: serde_json::Error| invalid("$".into(), format!("unexpected shape: {e}"));
    let mut out = Vec::new();
    match top.get().trim_start().as_bytes().first() {
        Some(b'{') => {
            // Keys are owned (a key may be escaped); values stay borrowed text. A key written twice keeps its
            // last value, as a JSON object's reader does.
            let map: std::collections::BTreeMap<String, &RawValue> =
                serde_json::from_str(top.get()).map_err(shape)?;
            let array = |v: &&&RawValue| v.get().trim_start().starts_with('[');
            if let Some(records) = map.get("Records").filter(array) {
                let records: Vec<&RawValue> = serde_json::from_str(records.get()).map_err(shape)?;
                out.reserve(records.len());
                for (i, record) in records.into_iter().enumerate() {
                    out.push(event(format!("{name}: $.Records[{i}]"), record));
                }
            } else if let Some(events) = map.get("Events").filter(array) {
                // `aws cloudtrail lookup-events`: the record is a JSON string in `CloudTrailEvent`.
                let events: Vec<Value> = serde_json::from_str(events.get()).map_err(shape)?;
                for (i, e) in events.into_iter().enumerate() {
                    let location = format!("$.Events[{i}].CloudTrailEvent");
                    let Some(text) = e.get("CloudTrailEvent").and_then(Value::as_str) else {
                        return Err(invalid(location, "missing `CloudTrailEvent`".into()));
                    };
                    let record: &RawValue = serde_json::from_str(text)
                        .map_err(|err| invalid(location.clone(), format!("not JSON: {err}")))?;
                    out.push(event(format!("{name}: {location}"), record));
                }
            } else if map.contains_key("eventName") {
                out.push(event(format!("{name}: $"), top));
            } else {
                return Err(invalid(
                    "$".into(),
                    "expected `Records` (CloudTrail files) or `Events` (`aws cloudtrail lookup-events`)"
                        .into(),
                ));
            }
        }
        Some(b'[') => {
            let records: Vec<&RawValue> = serde_json::from_str(top.get()).map_err(shape)?;
            for (i, record) in records.into_iter().enumerate() {
                out.push(event(format!("{name}: $[{i}]"), record));
            }
        }
        _ => {
            return Err(invalid(
                "$".into(),
                "expected a JSON object with `Records` or `Events`".into(),
            ));
        }
    }
    Ok(out)
}

/// The events of one file (gzipped or not).
pub fn read_file(path: &Path) -> Result<Vec<RawEvent>, TrailError> {
    let bytes = read_bytes(path)?;
    parse_events(&path.display().to_string(), &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_shapes_and_json_lines() {
        let r = parse_events(
            "a",
            br#"{"Records":[{"eventName":"GetObject"},{"eventName":"PutObject"}]}"#,
        )
        .unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].origin, "a: $.Records[1]");
        let inner = serde_json::json!({"eventName": "ListBuckets"}).to_string();
        let l =
            serde_json::json!({"Events": [{"EventId": "1", "CloudTrailEvent": inner}]}).to_string();
        let r = parse_events("b", l.as_bytes()).unwrap();
        assert_eq!(r[0].value().unwrap()["eventName"], "ListBuckets");
        let r = parse_events("c", b"{\"eventName\":\"A\"}\n\n{\"eventName\":\"B\"}\n").unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].origin, "c:3");
        let e = parse_events("d", b"{\"Records\": [").unwrap_err();
        assert!(e.to_string().starts_with("d: 1:"), "{e}");
        let e = parse_events("e", b"{\"x\": 1}").unwrap_err();
        assert!(e.to_string().contains("Records"), "{e}");
    }

    #[test]
    fn the_one_pass_reading_agrees_with_the_general_one() {
        // Other keys beside `Records` are skipped; `Records` written twice keeps its last value (the general
        // path, as a JSON object's reader does); trailing text after the document is an error either way.
        let r = parse_events(
            "a",
            br#"{"x": {"Records": 1}, "Records": [{"eventName": "A"}], "y": [1, 2]}"#,
        )
        .unwrap();
        assert_eq!(r.len(), 1);
        let r = parse_events(
            "b",
            br#"{"Records": [{"eventName": "A"}], "Records": [{"eventName": "B"}, {"eventName": "C"}]}"#,
        )
        .unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].value().unwrap()["eventName"], "B");
        assert!(parse_events("c", br#"{"Records": []} trailing"#).is_err());
        let e =
            parse_events("d", br#"{"Records": [{"eventName": "A"}, {"eventName": ]}"#).unwrap_err();
        assert!(e.to_string().starts_with("d: 1:"), "{e}");
    }
}
