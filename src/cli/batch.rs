//! `eval --requests`: a batch of requests, one JSON object per line, evaluated on every core and answered one
//! line each, in input order. Input and output stream through in chunks of lines, so memory stays bounded
//! whatever the size of the input: the reader holds a few chunks at a time, the writer writes each chunk's
//! answers as soon as the chunks before it are written.
//!
//! A line that cannot be read (not JSON, no such principal, longer than [`MAX_LINE`]) is answered by an error
//! object with its line number, and the batch goes on; the command then ends with an error that counts them.

mod quick;

use crate::account::Model;
use crate::eval::condition::{Context, PrincipalKeys};
use crate::eval::engine::{Overrides, decide_brief_with, evaluate};
use crate::eval::request::{Principal, Request};
use std::borrow::Cow;
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};

/// What is written for each request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    /// The full explanation: every layer, the statements with their conditions, the context (a few kilobytes).
    Explanation,
    /// The head of the explanation only (100–150 bytes): `decision`, `decided_by`, `deciding_statement`,
    /// `certain`, and `unknown` (why, when it is not certain).
    Decision,
}

/// The longest request line read; a longer one is answered by an error.
pub const MAX_LINE: usize = 1 << 20;
/// Lines per chunk (each worker takes a chunk at a time): enough that handing chunks over costs nothing, few
/// enough that the chunks in flight stay small (a full explanation is a few kilobytes).
const fn chunk_lines(output: Output) -> usize {
    match output {
        Output::Decision => 4096,
        Output::Explanation => 512,
    }
}
/// Bytes per chunk (a chunk ends at the line that passes this).
const CHUNK_BYTES: usize = 4 << 20;
/// Principals resolved once per worker and reused (the cache is emptied when it holds this many).
const PRINCIPAL_CACHE: usize = 16_384;

/// How a batch went.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Requests answered.
    pub answered: u64,
    /// Lines answered by an error object.
    pub errors: u64,
}

/// One line of a chunk.
enum Entry {
    /// A request's bytes in the chunk, with its line number.
    Line { no: u64, start: usize, end: usize },
    /// A line longer than [`MAX_LINE`] (not kept).
    TooLong { no: u64 },
}

/// Lines read together, and the buffer their answers are written into.
#[derive(Default)]
struct Chunk {
    data: Vec<u8>,
    entries: Vec<Entry>,
    out: Vec<u8>,
    errors: u64,
}

impl Chunk {
    fn clear(&mut self) {
        self.data.clear();
        self.entries.clear();
        self.out.clear();
        self.errors = 0;
    }

    /// Read lines until the chunk is full or the input ends; `false` at the end of the input. Blank lines are
    /// skipped (their numbers still count). Lines are found in the reader's buffer a vector at a time and copied
    /// from it once (`read_until` per line took a fifth of the reading thread's time).
    fn fill(
        &mut self,
        input: &mut impl BufRead,
        lines: usize,
        line_no: &mut u64,
    ) -> std::io::Result<bool> {
        // The line being read, when one is: where it starts in `data`, and whether it is longer than
        // [`MAX_LINE`] (its bytes are then not kept).
        let mut open: Option<(usize, bool)> = None;
        let full = |c: &Chunk| c.entries.len() >= lines || c.data.len() >= CHUNK_BYTES;
        loop {
            if open.is_none() && full(self) {
                return Ok(true);
            }
            let buf = match input.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                // The last line, without its newline.
                if let Some((start, too_long)) = open {
                    self.end_line(start, too_long, line_no);
                }
                return Ok(false);
            }
            let mut used = 0;
            while let Some(rest) = buf.get(used..).filter(|r| !r.is_empty()) {
                if open.is_none() && full(self) {
                    break;
                }
                let (start, mut too_long) = *open.get_or_insert((self.data.len(), false));
                let (part, ends) = match memchr::memchr(b'\n', rest) {
                    Some(i) => (rest.get(..=i).unwrap_or(rest), true),
                    None => (rest, false),
                };
                used += part.len();
                if !too_long {
                    let so_far = self.data.len() - start + part.len() - usize::from(ends);
                    if so_far > MAX_LINE {
                        too_long = true;
                        self.data.truncate(start);
                    } else {
                        self.data.extend_from_slice(part);
                    }
                }
                open = if ends {
                    self.end_line(start, too_long, line_no);
                    None
                } else {
                    Some((start, too_long))
                };
            }
            input.consume(used);
        }
    }

    /// The line read into `data[start..]` (with its newline, if it has one) ends: numbered, and kept unless it
    /// is blank.
    fn end_line(&mut self, start: usize, too_long: bool, line_no: &mut u64) {
        *line_no += 1;
        let no = *line_no;
        if too_long {
            self.data.truncate(start);
            self.entries.push(Entry::TooLong { no });
            return;
        }
        let line = self.data.get(start..).unwrap_or_default();
        if line.iter().all(u8::is_ascii_whitespace) {
            self.data.truncate(start);
            return;
        }
        // Without its newline: a line cut off inside a string would otherwise be read to the newline, and
        // serde would name a control character on "line 2, column 0" rather than the line's end.
        let end = self.data.len() - usize::from(self.data.last() == Some(&b'\n'));
        self.entries.push(Entry::Line { no, start, end });
    }
}

/// A request line (unknown fields are ignored).
#[derive(serde::Deserialize)]
struct Line<'a> {
    #[serde(borrow)]
    principal: Cow<'a, str>,
    #[serde(borrow)]
    action: Cow<'a, str>,
    #[serde(borrow)]
    resource: Cow<'a, str>,
    #[serde(default, borrow)]
    resource_account: Option<Cow<'a, str>>,
    /// Each key with a string or an array of values (other JSON values are taken as their JSON text).
    #[serde(default)]
    context: ContextEntries,
}

/// A line's context object, every entry kept in order: a key written twice, or twice but for case, is one
/// multi-valued key, as `--context` given twice is (a map would keep one of the values, and a Deny testing the
/// other would not apply).
#[derive(Default)]
struct ContextEntries(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for ContextEntries {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = ContextEntries;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of context keys")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, serde_json::Value>()? {
                    out.push(entry);
                }
                Ok(ContextEntries(out))
            }
        }
        d.deserialize_map(Entries)
    }
}

/// Fill `ctx` (emptied) with the context of a request line, as `eval --requests` has always read it.
fn fill_context(ctx: &mut Context, entries: ContextEntries) {
    ctx.clear();
    for (k, v) in entries.0 {
        let values = match v {
            serde_json::Value::Array(vs) => vs
                .iter()
                .map(|x| {
                    x.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| x.to_string())
                })
                .collect(),
            serde_json::Value::String(s) => vec![s],
            other => vec![other.to_string()],
        };
        if values.is_empty() {
            // An empty array: the key is there, with no value.
            ctx.set_default(&k, Vec::new());
        }
        for v in values {
            ctx.add(&k, v);
        }
    }
}

/// The answer to a line that could not be read.
#[derive(serde::Serialize)]
struct ErrorLine<'a> {
    line: u64,
    error: &'a str,
}

/// A request of one principal (its other fields overwritten per line) and the context keys the principal
/// derives.
type Template = (Request, Arc<PrincipalKeys>);

/// What each worker shares, and its own cache of resolved principals.
struct Worker<'m> {
    model: &'m Model,
    overrides: &'m Overrides,
    output: Output,
    name: &'m str,
    /// By the principal as written: a request with that principal, its other fields overwritten per line, and
    /// the context keys the principal derives (computed once, read under each line's context).
    requests: hashbrown::HashMap<String, Result<Template, String>, rustc_hash::FxBuildHasher>,
    /// Each account's organisation levels, gathered once (they depend on the model and the account only).
    scratch: crate::eval::Scratch<'m>,
}

impl Worker<'_> {
    fn answer(&mut self, chunk: &mut Chunk) {
        // The requests of a chunk are evaluated at one time, read when its evaluation starts.
        self.scratch.set_clock(crate::time::Timestamp::now());
        let Chunk {
            data,
            entries,
            out,
            errors,
        } = chunk;
        for e in entries.iter() {
            let failed = match *e {
                Entry::TooLong { no } => Some((
                    no,
                    format!(
                        "{}:{no}: the line is longer than {} MiB",
                        self.name,
                        MAX_LINE >> 20
                    ),
                )),
                Entry::Line { no, start, end } => {
                    let bytes = data.get(start..end).unwrap_or_default();
                    self.line(bytes, out)
                        .err()
                        .map(|e| (no, format!("{}:{no}: {e}", self.name)))
                }
            };
            if let Some((line, error)) = failed {
                *errors += 1;
                write_json(
                    out,
                    &ErrorLine {
                        line,
                        error: &error,
                    },
                );
            }
        }
    }

    /// Answer one request line into `out`, or say why it cannot be read.
    fn line(&mut self, bytes: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
        // Checked as UTF-8 once, then read as text: a byte slice's strings would each be checked again.
        let text = std::str::from_utf8(bytes)
            .map_err(|e| format!("the line is not UTF-8 (column {})", e.valid_up_to() + 1))?;
        // The common shape is read quickly; any other line (or a bad one) by serde, which says what is wrong.
        let quick = quick::read(text);
        let full: Option<Line<'_>> = match quick {
            Some(_) => None,
            None => Some(serde_json::from_str(text).map_err(|e| e.to_string())?),
        };
        let (principal, action, resource, resource_account) = match (&quick, &full) {
            (Some(q), _) => (q.principal, q.action, q.resource, q.resource_account),
            (None, Some(l)) => (
                &*l.principal,
                &*l.action,
                &*l.resource,
                l.resource_account.as_deref(),
            ),
            (None, None) => return Err("the line could not be read".into()),
        };
        let model = self.model;
        // One lookup: the principal's template, made the first time it is met (the cache is emptied when full).
        if self.requests.len() >= PRINCIPAL_CACHE && !self.requests.contains_key(principal) {
            self.requests.clear();
        }
        let template = self.requests.entry_ref(principal).or_insert_with(|| {
            Principal::resolve(principal, model).map(|principal| {
                // Derived when a request of this principal first needs them.
                let keys = Arc::new(PrincipalKeys::default());
                let req = Request {
                    principal,
                    action: String::new(),
                    resource: String::new(),
                    resource_account: None,
                    context: Context::new(),
                };
                (req, keys)
            })
        });
        let (req, keys) = match template {
            Ok((req, keys)) => (req, keys),
            Err(e) => return Err(e.clone()),
        };
        req.action.clear();
        req.action.push_str(action);
        req.resource.clear();
        req.resource.push_str(resource);
        req.resource_account = resource_account.map(str::to_string);
        match (quick, full) {
            (Some(q), _) => quick::fill_context(&mut req.context, &q),
            (None, Some(l)) => fill_context(&mut req.context, l.context),
            (None, None) => {}
        }
        req.context.with_principal_keys(keys.clone());
        match self.output {
            Output::Decision => {
                let brief = decide_brief_with(model, req, self.overrides, &mut self.scratch);
                // The common answer without serde's pass over every name (the same bytes: see `quick`).
                if quick::write_brief(out, &brief) {
                    out.push(b'\n');
                } else {
                    write_json(out, &brief);
                }
            }
            Output::Explanation => write_json(out, &evaluate(model, req, self.overrides)),
        }
        Ok(())
    }
}

/// `value` as one line of JSON (the answers' types always serialise).
fn write_json(out: &mut Vec<u8>, value: &impl serde::Serialize) {
    let mark = out.len();
    if serde_json::to_writer(&mut *out, value).is_err() {
        out.truncate(mark);
        out.extend_from_slice(br#"{"error":"the answer could not be written as JSON"}"#);
    }
    out.push(b'\n');
}

/// A chunk to answer, and where to send it back.
struct Job {
    chunk: Chunk,
    done: mpsc::SyncSender<Chunk>,
}

/// Evaluate every request of `path` (`-`: the standard input) with `jobs` workers, writing one answer per
/// non-blank line to `out` in input order.
pub fn run(
    model: &Model,
    overrides: &Overrides,
    path: &Path,
    output: Output,
    jobs: usize,
    out: &mut dyn Write,
) -> Result<Summary, String> {
    let name = path.display().to_string();
    let file = crate::files::open_stream(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    let mut input = BufReader::with_capacity(1 << 20, file);
    let jobs = jobs.max(1);
    // Chunks in flight: each worker busy with one while the next waits for it, and one being written.
    let in_flight = 2 * jobs + 1;
    let (job_tx, job_rx) = mpsc::sync_channel::<Job>(in_flight);
    let job_rx = Mutex::new(job_rx);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                let mut worker = Worker {
                    model,
                    overrides,
                    output,
                    name: &name,
                    requests: Default::default(),
                    scratch: Default::default(),
                };
                loop {
                    // The lock is held only to take the next chunk.
                    let next = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(Job { mut chunk, done }) = next else {
                        return;
                    };
                    if !stop.load(Ordering::Relaxed) {
                        worker.answer(&mut chunk);
                    }
                    // The writer may have stopped (a closed pipe): nobody waits for this chunk then.
                    let _ = done.send(chunk);
                }
            });
        }
        let lines = chunk_lines(output);
        let result = write_in_order(&mut input, &mut *out, &job_tx, in_flight, lines, &name);
        // The workers end once the chunks already queued are taken.
        stop.store(true, Ordering::Relaxed);
        drop(job_tx);
        result
    })
}

/// Read chunks, hand them to the workers and write their answers in input order, with at most `in_flight`
/// chunks read and not yet written.
fn write_in_order(
    input: &mut impl BufRead,
    out: &mut dyn Write,
    jobs: &mpsc::SyncSender<Job>,
    in_flight: usize,
    lines: usize,
    name: &str,
) -> Result<Summary, String> {
    let lost = || "a worker stopped".to_string();
    let mut pending: VecDeque<mpsc::Receiver<Chunk>> = VecDeque::with_capacity(in_flight);
    let mut spare: Vec<Chunk> = Vec::new();
    let mut line_no = 0u64;
    let mut summary = Summary::default();
    let mut more = true;
    while more || !pending.is_empty() {
        if more {
            let mut chunk = spare.pop().unwrap_or_default();
            chunk.clear();
            more = chunk
                .fill(input, lines, &mut line_no)
                .map_err(|e| format!("{name}:{}: cannot read: {e}", line_no + 1))?;
            if !chunk.entries.is_empty() {
                let (done, answer) = mpsc::sync_channel(1);
                jobs.send(Job { chunk, done }).map_err(|_| lost())?;
                pending.push_back(answer);
            }
        }
        // Write the oldest chunk once enough are in flight, and every one at the end of the input.
        while pending.len() >= in_flight || (!more && !pending.is_empty()) {
            let Some(first) = pending.pop_front() else {
                break;
            };
            let chunk = first.recv().map_err(|_| lost())?;
            out.write_all(&chunk.out).map_err(|e| e.to_string())?;
            summary.errors += chunk.errors;
            summary.answered += chunk.entries.len() as u64 - chunk.errors;
            spare.push(chunk);
        }
    }
    out.flush().map_err(|e| e.to_string())?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reader's buffer in these tests (the command's is 1 MiB).
    const BUFFER: usize = 1 << 16;

    /// A reader that gives at most a few bytes at a time, in a cycle of sizes, and is interrupted now and then.
    struct Trickle<'a> {
        data: &'a [u8],
        sizes: &'a [usize],
        turn: usize,
    }

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.turn += 1;
            if self.turn.is_multiple_of(5) {
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            let size = self
                .sizes
                .get(self.turn % self.sizes.len())
                .copied()
                .unwrap_or(1);
            let n = size.min(buf.len()).min(self.data.len());
            let (head, rest) = self.data.split_at(n);
            buf.get_mut(..n).unwrap_or_default().copy_from_slice(head);
            self.data = rest;
            Ok(n)
        }
    }

    /// What each line of `input` is: its text (without the newline) or too long, by line number; blank
    /// lines left out.
    fn expected(input: &[u8]) -> Vec<(u64, Option<Vec<u8>>)> {
        let mut out = Vec::new();
        let mut parts: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
        if input.last() == Some(&b'\n') {
            parts.pop();
        }
        for (i, line) in parts.into_iter().enumerate() {
            let no = i as u64 + 1;
            if line.len() > MAX_LINE {
                out.push((no, None));
            } else if !line.iter().all(u8::is_ascii_whitespace) {
                out.push((no, Some(line.to_vec())));
            }
        }
        out
    }

    /// Every line of `input` as chunks of at most `lines` lines give them.
    fn read_all(input: &[u8], sizes: &[usize], lines: usize) -> Vec<(u64, Option<Vec<u8>>)> {
        let mut reader = std::io::BufReader::with_capacity(
            BUFFER,
            Trickle {
                data: input,
                sizes,
                turn: 0,
            },
        );
        let mut out = Vec::new();
        let mut line_no = 0;
        let mut chunk = Chunk::default();
        loop {
            chunk.clear();
            let more = chunk.fill(&mut reader, lines, &mut line_no).expect("read");
            assert!(chunk.entries.len() <= lines + 1);
            for e in &chunk.entries {
                out.push(match *e {
                    Entry::Line { no, start, end } => {
                        let line = chunk.data.get(start..end).expect("in the chunk");
                        (no, Some(line.strip_suffix(b"\n").unwrap_or(line).to_vec()))
                    }
                    Entry::TooLong { no } => (no, None),
                });
            }
            if !more {
                return out;
            }
        }
    }

    /// Lines read into chunks, across every kind of boundary: a line split between reads, blank lines, lines
    /// of exactly the longest length kept and one byte more, a line of several buffers, a carriage return, a
    /// last line without its newline.
    #[test]
    fn chunks_hold_the_lines_of_the_input() {
        let mut input = Vec::new();
        for i in 0..300 {
            input.extend_from_slice(format!("{{\"n\": {i}}}\n").as_bytes());
            if i % 37 == 0 {
                input.extend_from_slice(b"\n   \n\r\n");
            }
            if i == 100 {
                input.extend(std::iter::repeat_n(b'a', MAX_LINE));
                input.push(b'\n');
                input.extend(std::iter::repeat_n(b'b', MAX_LINE + 1));
                input.push(b'\n');
            }
            if i == 200 {
                input.extend(std::iter::repeat_n(b'c', MAX_LINE + 5 * BUFFER / 2));
                input.extend_from_slice(b"\r\n");
            }
        }
        input.extend_from_slice(b"{\"last\": true}");
        let want = expected(&input);
        assert_eq!(want.len(), 304);
        assert_eq!(want.iter().filter(|(_, l)| l.is_none()).count(), 2);
        for (sizes, lines) in [
            (&[usize::MAX][..], 4096),
            (&[1, 7, 190, 4096][..], 3),
            (&[BUFFER - 1, 13, BUFFER + 5][..], 50),
        ] {
            assert_eq!(read_all(&input, sizes, lines), want, "{sizes:?} {lines}");
        }
        // The same input ending with its newline, and an empty input.
        input.push(b'\n');
        assert_eq!(read_all(&input, &[4096], 7), want);
        assert_eq!(read_all(b"", &[4096], 7), Vec::new());
        assert_eq!(read_all(b"\n\n  ", &[4096], 7), Vec::new());
    }
}
