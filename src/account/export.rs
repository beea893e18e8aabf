//! Loading `aws iam get-account-authorization-details` output.
//!
//! The file is walked element by element: users, groups, roles and policies are parsed, a batch at a time,
//! into small reused trees, converted and dropped, so memory stays near the size of the file. A large export
//! is read on one thread while others convert the batches, and the parts are put together in the file's order
//! ([`Reading`]). Documents may be JSON
//! objects (AWS CLI, boto3) or URL-encoded strings (the raw IAM API,
//! <https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html>).
//! What real files do is tolerated: `Statement` as one object, `AttachedManagedPolicies` as an object,
//! `Marker`/`IsTruncated`, both date spellings. A wrong-shaped element is skipped with a warning naming its
//! JSON path; a JSON syntax error fails the whole file with its line and column.

use super::*;
use crate::json::{self, Doc, Kind, NodeId, Parser};
use crate::policy::{self, Interner};

/// A fatal load error.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not UTF-8.
    #[error("{path}:{at}: the file is not valid UTF-8 text")]
    NotUtf8 {
        /// The file.
        path: String,
        /// Where the first bad byte is.
        at: LineCol,
    },
    /// JSON syntax.
    #[error("{path}:{at}: invalid JSON: {message}{}", more_errors(*.more))]
    Syntax {
        /// The file.
        path: String,
        /// Where.
        at: LineCol,
        /// What.
        message: String,
        /// How many more syntax errors the file has.
        more: usize,
    },
    /// Valid JSON of the wrong shape.
    #[error("{path}: {json_path}: {message}")]
    Shape {
        /// The file.
        path: String,
        /// JSON path of the offending element.
        json_path: String,
        /// What.
        message: String,
    },
    /// A CSV problem (credential report).
    #[error("{path}:{line}: {message}")]
    Csv {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// What.
        message: String,
    },
    /// Anything about how files fit together (workspace).
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What.
        message: String,
    },
}

fn more_errors(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => " (and 1 more error)".into(),
        n => format!(" (and {n} more errors)"),
    }
}

/// Read a file as text, with the errors a person needs.
pub fn read_text(path: &std::path::Path) -> Result<crate::text::Text, LoadError> {
    let name = path.display().to_string();
    let bytes = crate::files::read_bytes(path).map_err(|source| LoadError::Io {
        path: name.clone(),
        source,
    })?;
    text_from_bytes(&name, bytes)
}

/// Bytes to text, failing with the line and column of the first invalid byte. A UTF-8 byte-order mark is
/// dropped (Windows tools write one).
pub fn text_from_bytes(name: &str, bytes: Vec<u8>) -> Result<crate::text::Text, LoadError> {
    match String::from_utf8(bytes) {
        Ok(mut s) => {
            if s.starts_with('\u{feff}') {
                s.drain(..3);
            }
            Ok(Arc::new(s))
        }
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let prefix = String::from_utf8_lossy(bytes.get(..valid).unwrap_or_default());
            Err(LoadError::NotUtf8 {
                path: name.to_string(),
                at: crate::text::line_col(&prefix, valid),
            })
        }
    }
}

/// Turn the parser's syntax errors into a [`LoadError`], if any.
pub(crate) fn syntax_error(
    name: &str,
    text: &str,
    errors: &[json::SyntaxError],
) -> Option<LoadError> {
    let first = errors.first()?;
    Some(LoadError::Syntax {
        path: name.to_string(),
        at: crate::text::line_col(text, first.span.start as usize),
        message: first.message.clone(),
        more: errors.len() - 1,
    })
}

/// `v` without spare capacity: an entity's lists are built by pushing (a first push reserves room for four),
/// and an export holds tens of thousands of entities, so the spare room would be a good part of the model.
fn exact<T>(mut v: Vec<T>) -> Vec<T> {
    v.shrink_to_fit();
    v
}

/// Reports progress: (file, bytes done, bytes in all).
pub type ProgressFn = Box<dyn FnMut(&str, usize, usize) + Send>;

/// State shared while loading several files.
#[derive(Default)]
pub struct LoadCtx {
    /// Shares strings across all files.
    pub interner: Interner,
    /// Called now and then while a large file loads.
    pub progress: Option<ProgressFn>,
    /// Threads that read exports at once (0: one per core).
    pub jobs: usize,
    /// The model's accounts by id, so that finding one while merging is a lookup (a scan would be quadratic in
    /// the accounts of an organisation); see [`LoadCtx::account_at`].
    pub(crate) accounts: FxHashMap<Str, u32>,
}

impl LoadCtx {
    /// The index of account `id` in `model`. The map is brought up to date first when accounts were added
    /// without it (loading only ever appends accounts, so a count tells).
    pub(crate) fn account_at(&mut self, model: &Model, id: &str) -> Option<usize> {
        if self.accounts.len() != model.accounts.len() {
            self.accounts.clear();
            for (i, a) in model.accounts.iter().enumerate() {
                // The first of two accounts with one id is the one found, as a scan would find it.
                self.accounts.entry(a.id.clone()).or_insert(i as u32);
            }
        }
        self.accounts.get(id).map(|&i| i as usize)
    }

    /// Add `acc` to `model` and to the map; its index.
    pub(crate) fn push_account(&mut self, model: &mut Model, acc: Account) -> usize {
        // Sync first, so that the map never misses an account added before this one.
        self.account_at(model, &acc.id);
        let i = model.accounts.len();
        self.accounts.entry(acc.id.clone()).or_insert(i as u32);
        model.accounts.push(acc);
        i
    }
}

/// An export read on its own, before it joins a model (so that several can be read at once, each on its own
/// thread): its texts are numbered from 0 (the export itself, then any URL-encoded document it held), and
/// [`merge_export`] renumbers them into the model's sources.
pub struct ParsedExport {
    name: String,
    source: Source,
    acc: Account,
    warnings: Vec<LoadWarning>,
    new_sources: Vec<Source>,
    accounts_seen: FxHashMap<Str, usize>,
    marker: Option<String>,
}

impl ParsedExport {
    /// Bytes of the export's text.
    pub fn len(&self) -> usize {
        self.source.len()
    }

    /// True for an empty text (never the case for a parsed export).
    pub fn is_empty(&self) -> bool {
        self.source.is_empty()
    }

    /// Keep its texts packed ([`Source::pack`]): the export's, and the documents it held encoded that are
    /// long enough for it to pay (a short document packs to nearly its own size).
    pub fn pack(&mut self) {
        self.source.pack();
        for s in &mut self.new_sources {
            if s.len() >= 4096 {
                s.pack();
            }
        }
    }
}

/// Load one export text into `model` as a new account (or merge it into the account of the same id).
/// Returns the account's index. `expected_account` (from a workspace) is used when the export names none.
/// A large export is read on several threads when the machine has them and `ctx.jobs` allows ([`Reading`]).
pub fn load_export(
    model: &mut Model,
    ctx: &mut LoadCtx,
    name: &str,
    text: crate::text::Text,
    expected_account: Option<&str>,
) -> Result<u32, LoadError> {
    let reading = Reading::for_one(ctx.jobs, text.len());
    let progress = &mut ctx.progress;
    let parsed = parse_export(
        name,
        text,
        &mut ctx.interner,
        &mut |done, len| {
            if let Some(cb) = progress.as_mut() {
                cb(name, done, len);
            }
        },
        reading,
    )?;
    merge_export(model, ctx, parsed, expected_account)
}

/// How [`parse_export`] reads an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// On the calling thread.
    OneThread,
    /// The JSON read on a thread of its own, and what it read converted (users, roles, policies and their
    /// documents, the larger part of the work) on this many threads, each with its own interner (a string
    /// may then be stored once per thread); the calling thread puts the parts together in the file's order, so
    /// the model is the same, element for element and warning for warning, as on one thread.
    Threads(usize),
}

impl Reading {
    /// Below this, more threads are not worth starting.
    const THREADS_FROM: usize = 1 << 20;
    /// Reading the JSON is about a third of converting it (measured on the synthetic export: 16 % and 52 % of
    /// the samples), so a fourth converting thread would wait for the reader, and each holds its own strings.
    const MAX_CONVERTERS: usize = 3;

    /// For one export read alone: as many converting threads as `jobs` allows (0: one per core, at most
    /// three) when it is large and there are two cores or more.
    pub fn for_one(jobs: usize, len: usize) -> Reading {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let allowed = if jobs == 0 { cores } else { jobs.min(cores) };
        if allowed >= 2 && len >= Self::THREADS_FROM {
            Reading::Threads(allowed.min(Self::MAX_CONVERTERS))
        } else {
            Reading::OneThread
        }
    }
}

/// Read one export into an account of its own, touching no model, as `reading` says. `progress` hears (bytes
/// read, bytes in all) now and then.
pub fn parse_export(
    name: &str,
    text: crate::text::Text,
    interner: &mut Interner,
    progress: &mut dyn FnMut(usize, usize),
    reading: Reading,
) -> Result<ParsedExport, LoadError> {
    let mut p = Parser::new(&text);
    if p.peek_kind() != Some(b'{') {
        // Syntax first: garbage is a syntax error, not a shape error.
        let parsed = json::parse(&text);
        if let Some(e) = syntax_error(name, &text, &parsed.errors) {
            return Err(e);
        }
        return Err(LoadError::Shape {
            path: name.into(),
            json_path: "$".into(),
            message: format!(
                "expected the JSON object that `aws iam get-account-authorization-details` prints, found {}",
                parsed.doc.kind(parsed.root).describe()
            ),
        });
    }
    p.begin_object();
    let mut conv = Conv::new(&text, name, interner);
    let mut whole = Whole::default();
    let len = text.len();
    let (p, recognised) = match reading {
        Reading::OneThread | Reading::Threads(0) => {
            let recognised = read_export(
                &mut p,
                &mut Inline {
                    conv: &mut conv,
                    whole: &mut whole,
                    spare: None,
                    progress: &mut *progress,
                    len,
                },
            );
            (p, recognised)
        }
        Reading::Threads(n) => read_on_threads(p, n, &mut conv, &mut whole, progress, len)
            .map_err(|message| LoadError::Invalid {
                path: name.into(),
                message,
            })?,
    };
    let Whole {
        mut acc,
        warnings,
        new_sources,
        marker,
        mut accounts_seen,
        ..
    } = whole;
    for (id, n) in conv.accounts_seen {
        *accounts_seen.entry(id).or_default() += n;
    }
    acc.source = Some(SourceId(0));
    if let Some(e) = syntax_error(name, &text, &p.errors) {
        return Err(e);
    }
    if !recognised {
        return Err(LoadError::Shape {
            path: name.into(),
            json_path: "$".into(),
            message:
                "not an authorization-details export: none of `UserDetailList`, `GroupDetailList`, \
                      `RoleDetailList`, `Policies` is present"
                    .into(),
        });
    }
    acc.users.shrink_to_fit();
    acc.groups.shrink_to_fit();
    acc.roles.shrink_to_fit();
    acc.policies.shrink_to_fit();
    acc.instance_profiles.shrink_to_fit();
    Ok(ParsedExport {
        name: name.into(),
        source: Source::new(name, text),
        acc,
        warnings,
        new_sources,
        accounts_seen,
        marker,
    })
}

/// The four lists of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum List {
    Users,
    Groups,
    Roles,
    Policies,
}

impl List {
    fn from_key(key: &str) -> Option<List> {
        match key {
            "UserDetailList" => Some(List::Users),
            "GroupDetailList" => Some(List::Groups),
            "RoleDetailList" => Some(List::Roles),
            "Policies" => Some(List::Policies),
            _ => None,
        }
    }

    fn key(self) -> &'static str {
        match self {
            List::Users => "UserDetailList",
            List::Groups => "GroupDetailList",
            List::Roles => "RoleDetailList",
            List::Policies => "Policies",
        }
    }
}

/// What the reading half of an export's load found, in the file's order; the converting half
/// ([`convert`]) makes the parts of the account of it.
enum Piece {
    /// Elements of a list, the first of them at index `first`, read into `doc`; the reader was at `pos`.
    Elements {
        list: List,
        first: usize,
        doc: Doc,
        roots: Vec<NodeId>,
        pos: usize,
    },
    /// A list's value is not an array.
    NotArray { list: List, kind: Kind, span: Span },
    /// `IsTruncated: true`.
    Truncated,
    /// `Marker`.
    Marker(String),
    /// A top-level key no export has.
    Unknown { key: String, span: Span },
}

/// A batch of elements is handed over when it holds this many nodes or elements: large enough that handing
/// over costs nothing beside the work, small enough that the few batches in flight stay small (a few hundred
/// kilobytes each).
const BATCH_NODES: usize = 1 << 13;
const BATCH_ELEMENTS: usize = 256;

/// Where the reading half puts what it read.
trait Sink {
    /// An empty tree to read into (a used one when there is one).
    fn doc(&mut self) -> Doc;
    /// Take `piece`; false when the converting half has stopped (so the reader stops too).
    fn put(&mut self, piece: Piece) -> bool;
}

/// The reading half: the top-level object, after its `{`, element by element, in batches. True when one of
/// the four lists was present.
fn read_export(p: &mut Parser, sink: &mut dyn Sink) -> bool {
    let mut first = true;
    let mut recognised = false;
    while let Some((key_span, key)) = p.next_key(&mut first) {
        match List::from_key(&key) {
            Some(list) => {
                recognised = true;
                if p.peek_kind() != Some(b'[') {
                    let mut scratch = Doc::default();
                    let v = p.value(&mut scratch);
                    let kind = scratch.kind(v);
                    if kind != Kind::Error {
                        let span = scratch.span(v);
                        if !sink.put(Piece::NotArray { list, kind, span }) {
                            return recognised;
                        }
                    }
                    continue;
                }
                p.begin_array();
                let mut f = true;
                let mut read = 0usize;
                let mut batch_start = 0usize;
                let mut doc = sink.doc();
                let mut roots = Vec::new();
                while p.next_element(&mut f) {
                    roots.push(p.value(&mut doc));
                    read += 1;
                    if doc.nodes.len() >= BATCH_NODES || roots.len() >= BATCH_ELEMENTS {
                        let piece = Piece::Elements {
                            list,
                            first: batch_start,
                            doc: std::mem::take(&mut doc),
                            roots: std::mem::take(&mut roots),
                            pos: p.pos(),
                        };
                        if !sink.put(piece) {
                            return recognised;
                        }
                        doc = sink.doc();
                        batch_start = read;
                    }
                }
                if !roots.is_empty() {
                    let piece = Piece::Elements {
                        list,
                        first: batch_start,
                        doc,
                        roots,
                        pos: p.pos(),
                    };
                    if !sink.put(piece) {
                        return recognised;
                    }
                }
            }
            None => {
                let piece = match key.as_str() {
                    "IsTruncated" => {
                        let mut scratch = Doc::default();
                        let v = p.value(&mut scratch);
                        (scratch.kind(v) == Kind::Bool(true)).then_some(Piece::Truncated)
                    }
                    "Marker" => {
                        let mut scratch = Doc::default();
                        let v = p.value(&mut scratch);
                        (scratch.kind(v) == Kind::String)
                            .then(|| Piece::Marker(scratch.str(p.src(), v).into_owned()))
                    }
                    "ResponseMetadata" | "NextToken" => {
                        p.skip_value();
                        None
                    }
                    _ => {
                        p.skip_value();
                        Some(Piece::Unknown {
                            key,
                            span: key_span,
                        })
                    }
                };
                if let Some(piece) = piece
                    && !sink.put(piece)
                {
                    return recognised;
                }
            }
        }
    }
    p.finish();
    recognised
}

/// What one [`Piece`] made: its elements, warnings and decoded documents (numbered from 1, as if the export
/// had no others: [`Whole::add`] numbers them on).
#[derive(Default)]
struct Part {
    acc: Account,
    warnings: Vec<LoadWarning>,
    new_sources: Vec<Source>,
    marker: Option<String>,
}

/// Convert `piece` with `conv`: what it made, and the tree it came in, to be read into again.
fn convert(conv: &mut Conv<'_>, piece: Piece) -> (Part, Option<Doc>) {
    let mut part = Part::default();
    let mut back = None;
    match piece {
        Piece::Elements {
            list,
            first,
            mut doc,
            roots,
            ..
        } => {
            for (k, v) in roots.into_iter().enumerate() {
                conv.path.clear();
                conv.path
                    .push_str(&format!("$.{}[{}]", list.key(), first + k));
                match list {
                    List::Users => conv.user(&doc, v, &mut part.acc),
                    List::Groups => conv.group(&doc, v, &mut part.acc),
                    List::Roles => conv.role(&doc, v, &mut part.acc),
                    List::Policies => conv.policy(&doc, v, &mut part.acc),
                }
            }
            doc.nodes.clear();
            back = Some(doc);
        }
        Piece::NotArray { list, kind, span } => {
            let key = list.key();
            conv.warn(
                span,
                WarningKind::Skipped,
                format!("$.{key}"),
                format!(
                    "`{key}` must be an array, found {}; skipped",
                    kind.describe()
                ),
            );
        }
        Piece::Truncated => part.acc.truncated = true,
        Piece::Marker(m) => part.marker = Some(m),
        Piece::Unknown { key, span } => {
            let at = crate::text::line_col(conv.src, span.start as usize);
            conv.warnings.push(LoadWarning {
                kind: WarningKind::Note,
                file: conv.file.into(),
                location: at.to_string(),
                message: format!("unknown top-level key `{key}` ignored"),
                entity: None,
                at: Some((conv.source, span)),
            });
        }
    }
    part.warnings = std::mem::take(&mut conv.warnings);
    part.new_sources = std::mem::take(&mut conv.new_sources);
    (part, back)
}

/// The export's account, put together from its parts in the file's order.
#[derive(Default)]
struct Whole {
    acc: Account,
    warnings: Vec<LoadWarning>,
    new_sources: Vec<Source>,
    marker: Option<String>,
    accounts_seen: FxHashMap<Str, usize>,
    /// ARNs of the instance profiles already in the account (roles list the profiles that hold them, so one
    /// profile with two roles is listed twice; a lookup keeps the load linear).
    profiles_seen: rustc_hash::FxHashSet<Str>,
}

impl Whole {
    /// Add the next part: its decoded documents are numbered after those of the parts before it (the export
    /// itself is text 0).
    fn add(&mut self, part: Part) {
        let Part {
            mut acc,
            mut warnings,
            mut new_sources,
            marker,
        } = part;
        let by = self.new_sources.len() as u32;
        if by > 0 && !new_sources.is_empty() {
            acc.renumber_sources(|s| if s.0 > 0 { SourceId(s.0 + by) } else { s });
            for w in &mut warnings {
                if let Some((s, _)) = &mut w.at
                    && s.0 > 0
                {
                    s.0 += by;
                }
            }
        }
        self.new_sources.append(&mut new_sources);
        self.warnings.append(&mut warnings);
        self.acc.truncated |= acc.truncated;
        if marker.is_some() {
            self.marker = marker;
        }
        self.acc.users.append(&mut acc.users);
        self.acc.groups.append(&mut acc.groups);
        self.acc.roles.append(&mut acc.roles);
        self.acc.policies.append(&mut acc.policies);
        for p in acc.instance_profiles {
            if self.profiles_seen.insert(p.arn.clone()) {
                self.acc.instance_profiles.push(p);
            }
        }
    }
}

/// Reading and converting on one thread, a batch at a time.
struct Inline<'i, 'a> {
    conv: &'i mut Conv<'a>,
    whole: &'i mut Whole,
    spare: Option<Doc>,
    progress: &'i mut dyn FnMut(usize, usize),
    len: usize,
}

impl Sink for Inline<'_, '_> {
    fn doc(&mut self) -> Doc {
        self.spare.take().unwrap_or_default()
    }

    fn put(&mut self, piece: Piece) -> bool {
        let pos = piece.pos();
        let (part, back) = convert(self.conv, piece);
        self.whole.add(part);
        self.spare = back;
        if let Some(pos) = pos {
            (self.progress)(pos, self.len);
        }
        true
    }
}

impl Piece {
    /// Where the reader was, for a batch of elements.
    fn pos(&self) -> Option<usize> {
        match self {
            Piece::Elements { pos, .. } => Some(*pos),
            _ => None,
        }
    }
}

/// The reading half's side of several threads: numbered pieces go over a bounded channel (so that at most a
/// few batches wait in memory), used trees come back.
struct Sent {
    to: std::sync::mpsc::SyncSender<(usize, Piece)>,
    back: std::sync::mpsc::Receiver<Doc>,
    next: usize,
}

impl Sink for Sent {
    fn doc(&mut self) -> Doc {
        self.back.try_recv().unwrap_or_default()
    }

    fn put(&mut self, piece: Piece) -> bool {
        self.next += 1;
        self.to.send((self.next - 1, piece)).is_ok()
    }
}

/// Convert pieces from `from` until it is empty and closed, sending each part, numbered, to `done`.
fn convert_from(
    conv: &mut Conv<'_>,
    from: &std::sync::Mutex<std::sync::mpsc::Receiver<(usize, Piece)>>,
    give_back: &std::sync::mpsc::Sender<Doc>,
    done: &std::sync::mpsc::Sender<(usize, Part, Option<usize>)>,
) {
    loop {
        // The lock is held only to take one piece; no thread panics holding it.
        let next = from.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok((k, piece)) = next else {
            return;
        };
        let pos = piece.pos();
        let (part, back) = convert(conv, piece);
        if done.send((k, part, pos)).is_err() {
            return;
        }
        if let Some(doc) = back {
            // The reader may have finished: then the tree is simply dropped.
            let _ = give_back.send(doc);
        }
    }
}

/// Read `p` on a thread of its own while `converters` threads (the first with `conv`, the others each with an
/// interner of its own) convert what it read; this thread adds the parts to `whole` in the file's order as they come
/// (so that few wait in memory). The parser comes back for its syntax errors; an error here means a thread
/// failed (it could not start, or a bug made it panic), never the export.
fn read_on_threads<'t>(
    mut p: Parser<'t>,
    converters: usize,
    conv: &mut Conv<'_>,
    whole: &mut Whole,
    progress: &mut dyn FnMut(usize, usize),
    len: usize,
) -> Result<(Parser<'t>, bool), String> {
    const FAILED: &str =
        "internal error while reading this file (a bug in IAM Atlas; please report it)";
    let (to, from) = std::sync::mpsc::sync_channel::<(usize, Piece)>(2 * converters);
    // Shared by the converters only: when they all stop (at the end, or unwound by a panic), the reader's next
    // send fails and it stops too.
    let from = Arc::new(std::sync::Mutex::new(from));
    let (give_back, back) = std::sync::mpsc::channel::<Doc>();
    let (done, parts) = std::sync::mpsc::channel::<(usize, Part, Option<usize>)>();
    let (src, file) = (conv.src, conv.file);
    std::thread::scope(|s| {
        // The converters start first: if the reader then cannot start, its sender is dropped with it, and they
        // stop at once.
        let first = {
            let (from, give_back, done) = (from.clone(), give_back.clone(), done.clone());
            std::thread::Builder::new()
                .name("load-convert-0".into())
                .spawn_scoped(s, move || convert_from(conv, &from, &give_back, &done))
                .map_err(|e| format!("cannot start a thread to read this file: {e}"))?
        };
        let others: Vec<_> = (1..converters)
            .filter_map(|k| {
                let (from, give_back, done) = (from.clone(), give_back.clone(), done.clone());
                std::thread::Builder::new()
                    .name(format!("load-convert-{k}"))
                    .spawn_scoped(s, move || {
                        let mut interner = Interner::default();
                        let mut conv = Conv::new(src, file, &mut interner);
                        convert_from(&mut conv, &from, &give_back, &done);
                        conv.accounts_seen
                    })
                    .ok()
            })
            .collect();
        let reader = std::thread::Builder::new()
            .name("load-read".into())
            .spawn_scoped(s, move || {
                let recognised = read_export(&mut p, &mut Sent { to, back, next: 0 });
                (p, recognised)
            })
            .map_err(|e| format!("cannot start a thread to read this file: {e}"))?;
        drop((from, give_back, done));
        // Parts come in any order; each is added when those before it are in.
        let mut waiting: FxHashMap<usize, (Part, Option<usize>)> = FxHashMap::default();
        let mut next = 0usize;
        for (k, part, pos) in parts.iter() {
            waiting.insert(k, (part, pos));
            while let Some((part, pos)) = waiting.remove(&next) {
                whole.add(part);
                next += 1;
                if let Some(pos) = pos {
                    progress(pos, len);
                }
            }
        }
        // Every thread is joined before any failure is returned: a scope whose unjoined thread panicked would
        // panic itself.
        let seen: Vec<_> = others.into_iter().map(|t| t.join()).collect();
        let first = first.join();
        let read = reader.join();
        let (Ok(()), Ok(read), true) = (first, read, waiting.is_empty()) else {
            // A thread panicked (and a converter that stopped early left parts waiting).
            return Err(FAILED.to_string());
        };
        for seen in seen {
            let seen = seen.map_err(|_| FAILED.to_string())?;
            for (id, n) in seen {
                *whole.accounts_seen.entry(id).or_default() += n;
            }
        }
        Ok(read)
    })
}

/// Add an export read by [`parse_export`] to `model`: its texts become the model's sources, and its account a
/// new one (or part of the loaded account of the same id). Returns the account's index.
pub fn merge_export(
    model: &mut Model,
    ctx: &mut LoadCtx,
    parsed: ParsedExport,
    expected_account: Option<&str>,
) -> Result<u32, LoadError> {
    let ParsedExport {
        name,
        source,
        mut acc,
        mut warnings,
        new_sources,
        accounts_seen,
        marker,
    } = parsed;
    let name = name.as_str();
    let base = model.push_source(source);
    model.sources.extend(new_sources);
    acc.shift_sources(base.0);
    for w in &mut warnings {
        if let Some((s, _)) = &mut w.at {
            s.0 += base.0;
        }
    }
    model.warnings.append(&mut warnings);
    if acc.truncated {
        model.warnings.push(LoadWarning::new(WarningKind::Skipped, name, "$.IsTruncated", format!(
                "the export is one page of several (`IsTruncated: true`{}): entities on later pages are missing; \
                 export again with the AWS CLI's default pagination",
                marker.map(|m| format!(", `Marker` {}", abbreviate(&m))).unwrap_or_default()
            )));
    }
    // The account id: from the ARNs (customer-managed policies, users, groups, roles).
    let mut ids: Vec<(Str, usize)> = accounts_seen.into_iter().collect();
    ids.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let id: Str = match (ids.first(), expected_account) {
        (Some((found, _)), Some(exp)) if &**found != exp => {
            model.warnings.push(LoadWarning::new(WarningKind::Note, name, String::new(), format!(
                    "the workspace says account `{exp}` but the export's ARNs name `{found}`; using `{found}`"
                )));
            found.clone()
        }
        (Some((found, _)), _) => found.clone(),
        (None, Some(exp)) => ctx.interner.intern(exp),
        (None, None) => {
            let n = model
                .accounts
                .iter()
                .filter(|a| a.id.starts_with("unknown"))
                .count();
            model.warnings.push(LoadWarning::new(
                WarningKind::Note,
                name,
                String::new(),
                "no ARN in the export names its account; it is shown as an unknown account",
            ));
            ctx.interner.intern(&format!("unknown-{}", n + 1))
        }
    };
    if ids.len() > 1 {
        let others: Vec<String> = ids
            .iter()
            .skip(1)
            .map(|(a, n)| format!("`{a}` ({n} ARNs)"))
            .collect();
        model.warnings.push(LoadWarning::new(
            WarningKind::Note,
            name,
            String::new(),
            format!(
                "ARNs of more than one account: taken as account `{id}`; also seen {}",
                others.join(", ")
            ),
        ));
    }
    acc.id = id.clone();
    infer_providers(&mut acc, ctx);
    if let Some(existing) = ctx.account_at(model, &id) {
        model.warnings.push(LoadWarning::new(
            WarningKind::Note,
            name,
            String::new(),
            format!("a second export of account `{id}`: its entities are added to the first"),
        ));
        if let Some(target) = model.accounts.get_mut(existing) {
            merge_account(target, acc);
            return Ok(existing as u32);
        }
    }
    Ok(ctx.push_account(model, acc) as u32)
}

fn abbreviate(s: &str) -> String {
    if s.chars().count() > 24 {
        format!("`{}…`", s.chars().take(24).collect::<String>())
    } else {
        format!("`{s}`")
    }
}

fn merge_account(target: &mut Account, acc: Account) {
    target.truncated |= acc.truncated;
    target.users.extend(acc.users);
    target.groups.extend(acc.groups);
    target.roles.extend(acc.roles);
    target.policies.extend(acc.policies);
    target.instance_profiles.extend(acc.instance_profiles);
    for p in acc.identity_providers {
        if !target.identity_providers.iter().any(|q| q.arn == p.arn) {
            target.identity_providers.push(p);
        }
    }
}

/// Identity providers named as `Federated` principals in this account's trust policies.
fn infer_providers(acc: &mut Account, ctx: &mut LoadCtx) {
    for r in &acc.roles {
        let Some(t) = &r.trust else { continue };
        for s in &t.policy.statements {
            let Some(policy::PrincipalBlock {
                value: policy::PrincipalValue::Map(entries),
                ..
            }) = s.principal.as_deref()
            else {
                continue;
            };
            for e in entries {
                if e.kind.value != policy::PrincipalKind::Federated {
                    continue;
                }
                for v in &e.values.items {
                    if arn_account(&v.value) == Some(&acc.id)
                        && !acc.identity_providers.iter().any(|p| p.arn == v.value)
                        && let Some(p) =
                            IdentityProvider::from_arn(&ctx.interner.intern(&v.value), false)
                    {
                        acc.identity_providers.push(p);
                    }
                }
            }
        }
    }
}

struct Conv<'a> {
    src: &'a str,
    file: &'a str,
    source: SourceId,
    interner: &'a mut Interner,
    /// Warnings of the piece being converted.
    warnings: Vec<LoadWarning>,
    /// Decoded documents of the piece being converted, numbered from `base_sources`.
    new_sources: Vec<Source>,
    base_sources: u32,
    /// JSON path of the current element.
    path: String,
    accounts_seen: FxHashMap<Str, usize>,
}

impl<'a> Conv<'a> {
    /// A converter of the export `file` whose text is `src`.
    fn new(src: &'a str, file: &'a str, interner: &'a mut Interner) -> Self {
        Conv {
            src,
            file,
            source: SourceId(0),
            interner,
            warnings: Vec::new(),
            new_sources: Vec::new(),
            base_sources: 1,
            path: String::new(),
            accounts_seen: FxHashMap::default(),
        }
    }
}

/// Reads one element's fields, reporting wrong shapes with JSON paths.
impl Conv<'_> {
    /// A warning about the value at `span` of the export's text.
    fn warn(&mut self, span: Span, kind: WarningKind, location: String, message: String) {
        self.warnings.push(LoadWarning {
            kind,
            file: self.file.to_string(),
            location,
            message,
            entity: None,
            at: Some((self.source, span)),
        });
    }

    fn at(&self, field: &str) -> String {
        if field.is_empty() {
            self.path.clone()
        } else {
            format!("{}.{field}", self.path)
        }
    }

    fn see_arn(&mut self, arn: &Str) {
        if let Some(a) = arn_account(arn)
            && a.len() == 12
            && a.bytes().all(|b| b.is_ascii_digit())
        {
            *self
                .accounts_seen
                .entry(self.interner.intern(a))
                .or_default() += 1;
        }
    }

    /// A string field; a wrong type is reported as `kind` and gives `None`.
    fn string(&mut self, doc: &Doc, v: NodeId, field: &str) -> Option<Str> {
        match doc.kind(v) {
            Kind::String => {
                if crate::json::has_lone_surrogate(crate::text::at(self.src, doc.span(v))) {
                    let loc = self.at(field);
                    self.warn(
                        doc.span(v),
                        WarningKind::Note,
                        loc,
                        format!(
                            "`{field}` holds a `\\u` escape of half a surrogate pair, alone: not a character, read \
                             as `\u{FFFD}`"
                        ),
                    );
                }
                Some(self.interner.intern(&doc.str(self.src, v)))
            }
            Kind::Null => None,
            k => {
                let loc = self.at(field);
                self.warn(
                    doc.span(v),
                    WarningKind::Note,
                    loc,
                    format!(
                        "`{field}` must be a string, found {}; ignored",
                        k.describe()
                    ),
                );
                None
            }
        }
    }

    fn date(&mut self, doc: &Doc, v: NodeId, field: &str) -> Option<Timestamp> {
        let s = self.string(doc, v, field)?;
        let t = Timestamp::parse(&s);
        if t.is_none() {
            let loc = self.at(field);
            self.warn(
                doc.span(v),
                WarningKind::Note,
                loc,
                format!("`{field}` is not a date: `{s}`; ignored"),
            );
        }
        t
    }

    fn number(&mut self, doc: &Doc, v: NodeId, field: &str) -> Option<u32> {
        // `null` is how boto3 dumps an absent count: nothing to report.
        if doc.kind(v) == Kind::Null {
            return None;
        }
        if doc.kind(v) == Kind::Number
            && let Ok(n) = crate::text::at(self.src, doc.span(v)).parse::<u32>()
        {
            return Some(n);
        }
        let loc = self.at(field);
        self.warn(
            doc.span(v),
            WarningKind::Note,
            loc,
            format!(
                "`{field}` must be a whole number, found {}; ignored",
                doc.kind(v).describe()
            ),
        );
        None
    }

    fn boolean(&mut self, doc: &Doc, v: NodeId, field: &str) -> Option<bool> {
        match doc.kind(v) {
            Kind::Bool(b) => Some(b),
            k => {
                let loc = self.at(field);
                self.warn(
                    doc.span(v),
                    WarningKind::Note,
                    loc,
                    format!(
                        "`{field}` must be true or false, found {}; ignored",
                        k.describe()
                    ),
                );
                None
            }
        }
    }

    /// Items of an array field; an object is taken as a one-element list (AWS's own sample does this).
    fn list(&mut self, doc: &Doc, v: NodeId, field: &str) -> Vec<NodeId> {
        match doc.kind(v) {
            Kind::Array => doc.children(v).collect(),
            Kind::Object => {
                let loc = self.at(field);
                self.warn(
                    doc.span(v),
                    WarningKind::Note,
                    loc,
                    format!("`{field}` is a single object, not an array; read as a list of one"),
                );
                vec![v]
            }
            Kind::Null => Vec::new(),
            k => {
                let loc = self.at(field);
                self.warn(
                    doc.span(v),
                    WarningKind::Skipped,
                    loc,
                    format!(
                        "`{field}` must be an array, found {}; skipped",
                        k.describe()
                    ),
                );
                Vec::new()
            }
        }
    }

    fn tags(&mut self, doc: &Doc, v: NodeId) -> Vec<Tag> {
        let mut out = Vec::new();
        for (i, t) in self.list(doc, v, "Tags").into_iter().enumerate() {
            let key = doc
                .get(self.src, t, "Key")
                .filter(|&k| doc.kind(k) == Kind::String);
            let value = doc
                .get(self.src, t, "Value")
                .filter(|&k| doc.kind(k) == Kind::String);
            match (key, value) {
                (Some(k), Some(v)) => out.push(Tag {
                    key: self.interner.intern(&doc.str(self.src, k)),
                    value: self.interner.intern(&doc.str(self.src, v)),
                }),
                _ => {
                    let loc = self.at(&format!("Tags[{i}]"));
                    self.warn(
                        doc.span(t),
                        WarningKind::Skipped,
                        loc,
                        "a tag needs string `Key` and `Value`; skipped".into(),
                    );
                }
            }
        }
        out
    }

    /// A policy document: an object, or a (URL-encoded) string holding one.
    fn document(&mut self, doc: &Doc, v: NodeId, field: &str) -> Option<PolicyDoc> {
        match doc.kind(v) {
            Kind::Object => {
                let mut problems = Vec::new();
                let policy = policy::parse_node(self.src, doc, v, self.interner, &mut problems);
                Some(PolicyDoc {
                    source: self.source,
                    policy,
                    encoded: false,
                    problems,
                })
            }
            Kind::String => {
                let raw = doc.str(self.src, v);
                let decoded: String = if raw.trim_start().starts_with('{') {
                    raw.into_owned()
                } else {
                    match percent_encoding::percent_decode_str(&raw).decode_utf8() {
                        Ok(s) => s.into_owned(),
                        Err(_) => {
                            let loc = self.at(field);
                            self.warn(
                doc.span(v),
                                WarningKind::Skipped,
                                loc,
                                format!("`{field}` is URL-encoded but does not decode to UTF-8 text; skipped"),
                            );
                            return None;
                        }
                    }
                };
                let parsed = json::parse(&decoded);
                if let Some(first) = parsed.errors.first() {
                    let at = crate::text::line_col(&decoded, first.span.start as usize);
                    let loc = self.at(field);
                    self.warn(
                        doc.span(v),
                        WarningKind::Skipped,
                        loc,
                        format!(
                            "the document in this string is not valid JSON ({at}: {}); skipped",
                            first.message
                        ),
                    );
                    return None;
                }
                let mut problems = Vec::new();
                let policy = policy::parse_node(
                    &decoded,
                    &parsed.doc,
                    parsed.root,
                    self.interner,
                    &mut problems,
                );
                let id = SourceId(self.base_sources + self.new_sources.len() as u32);
                let name = format!("{} ({})", self.file, self.at(field));
                self.new_sources.push(Source::new(name, Arc::new(decoded)));
                Some(PolicyDoc {
                    source: id,
                    policy,
                    encoded: true,
                    problems,
                })
            }
            k => {
                let loc = self.at(field);
                self.warn(
                    doc.span(v),
                    WarningKind::Skipped,
                    loc,
                    format!(
                        "`{field}` must be a policy document, found {}; skipped",
                        k.describe()
                    ),
                );
                None
            }
        }
    }

    fn inline_policies(&mut self, doc: &Doc, v: NodeId, field: &str) -> Vec<InlinePolicy> {
        let mut out = Vec::new();
        for (i, p) in self.list(doc, v, field).into_iter().enumerate() {
            let here = format!("{field}[{i}]");
            let name = doc
                .get(self.src, p, "PolicyName")
                .and_then(|n| self.string(doc, n, &format!("{here}.PolicyName")));
            let document = doc
                .get(self.src, p, "PolicyDocument")
                .and_then(|d| self.document(doc, d, &format!("{here}.PolicyDocument")));
            match (name, document) {
                (Some(name), Some(doc)) => out.push(InlinePolicy { name, doc }),
                (name, _) => {
                    let loc = self.at(&here);
                    self.warn(
                        doc.span(p),
                        WarningKind::Skipped,
                        loc,
                        format!(
                            "inline policy {}needs `PolicyName` and `PolicyDocument`; skipped",
                            name.map(|n| format!("`{n}` ")).unwrap_or_default()
                        ),
                    );
                }
            }
        }
        out
    }

    fn attachments(&mut self, doc: &Doc, v: NodeId) -> Vec<Attachment> {
        let mut out = Vec::new();
        for (i, a) in self
            .list(doc, v, "AttachedManagedPolicies")
            .into_iter()
            .enumerate()
        {
            let arn = doc
                .get(self.src, a, "PolicyArn")
                .and_then(|n| self.string(doc, n, "PolicyArn"));
            let name = doc
                .get(self.src, a, "PolicyName")
                .and_then(|n| self.string(doc, n, "PolicyName"));
            match arn {
                Some(arn) => {
                    let name = name.unwrap_or_else(|| {
                        self.interner.intern(arn.rsplit('/').next().unwrap_or(&arn))
                    });
                    out.push(Attachment {
                        name,
                        arn,
                        target: PolicyRef::Missing,
                    })
                }
                None => {
                    let loc = self.at(&format!("AttachedManagedPolicies[{i}]"));
                    self.warn(
                        doc.span(a),
                        WarningKind::Skipped,
                        loc,
                        "an attachment needs `PolicyArn`; skipped".into(),
                    );
                }
            }
        }
        out
    }

    fn boundary(&mut self, doc: &Doc, v: NodeId) -> Option<Boundary> {
        let arn = doc
            .get(self.src, v, "PermissionsBoundaryArn")
            .and_then(|n| self.string(doc, n, "PermissionsBoundary.PermissionsBoundaryArn"));
        if arn.is_none() && doc.kind(v) != Kind::Null {
            let loc = self.at("PermissionsBoundary");
            self.warn(
                doc.span(v),
                WarningKind::Skipped,
                loc,
                "`PermissionsBoundary` needs `PermissionsBoundaryArn`; the boundary is unknown"
                    .into(),
            );
        }
        arn.map(|arn| Boundary {
            arn,
            target: PolicyRef::Missing,
        })
    }

    /// An entity's fields, in source order. A key written twice is reported: the last one is read, as every JSON
    /// reader of the export would, and the first is skipped (the export is not what the AWS CLI writes).
    fn members(&mut self, doc: &Doc, v: NodeId) -> Vec<(NodeId, NodeId)> {
        let members: Vec<(NodeId, NodeId)> = doc.members(v).collect();
        let mut seen: rustc_hash::FxHashSet<std::borrow::Cow<'_, str>> = Default::default();
        let mut twice = Vec::new();
        for &(k, _) in &members {
            let key = doc.str(self.src, k);
            if !seen.insert(key.clone()) {
                twice.push((k, key.into_owned()));
            }
        }
        for (k, key) in twice {
            // Quoted short: a crafted key may be megabytes long.
            let key = crate::text::excerpt(&key, 60);
            let loc = self.at(&key);
            self.warn(
                doc.span(k),
                WarningKind::Skipped,
                loc,
                format!("`{key}` is written twice in one object: the last one is read, the first skipped"),
            );
        }
        members
    }

    /// The fields every entity has; `None` (with a warning) when a required one is missing.
    fn required(
        &mut self,
        span: Span,
        what: &str,
        name: &Option<Str>,
        id: &Option<Str>,
        arn: &Option<Str>,
        [name_key, id_key]: [&str; 2],
    ) -> bool {
        let mut missing = Vec::new();
        if name.is_none() {
            missing.push(name_key);
        }
        if id.is_none() {
            missing.push(id_key);
        }
        if arn.is_none() {
            missing.push("Arn");
        }
        if missing.is_empty() {
            return true;
        }
        let loc = self.at("");
        let list: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
        self.warn(
            span,
            WarningKind::Skipped,
            loc,
            format!(
                "{what} {}without {}; skipped",
                name.as_ref().map(|n| format!("`{n}` ")).unwrap_or_default(),
                list.join(", ")
            ),
        );
        false
    }

    fn not_object(&mut self, doc: &Doc, v: NodeId, what: &str) -> bool {
        if doc.kind(v) == Kind::Object {
            return false;
        }
        if doc.kind(v) != Kind::Error {
            let loc = self.at("");
            self.warn(
                doc.span(v),
                WarningKind::Skipped,
                loc,
                format!(
                    "a {what} must be an object, found {}; skipped",
                    doc.kind(v).describe()
                ),
            );
        }
        true
    }

    fn user(&mut self, doc: &Doc, v: NodeId, acc: &mut Account) {
        if self.not_object(doc, v, "user") {
            return;
        }
        let (mut name, mut id, mut arn, mut path, mut created) = (None, None, None, None, None);
        let (mut tags, mut groups, mut inline, mut attached, mut boundary) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), None);
        let members = self.members(doc, v);
        for (k, val) in members {
            match &*doc.str(self.src, k) {
                "UserName" => name = self.string(doc, val, "UserName"),
                "UserId" => id = self.string(doc, val, "UserId"),
                "Arn" => arn = self.string(doc, val, "Arn"),
                "Path" => path = self.string(doc, val, "Path"),
                "CreateDate" => created = self.date(doc, val, "CreateDate"),
                "Tags" => tags = self.tags(doc, val),
                "GroupList" => {
                    for (i, g) in self.list(doc, val, "GroupList").into_iter().enumerate() {
                        if let Some(g) = self.string(doc, g, &format!("GroupList[{i}]")) {
                            groups.push(g);
                        }
                    }
                }
                "UserPolicyList" => inline = self.inline_policies(doc, val, "UserPolicyList"),
                "AttachedManagedPolicies" => attached = self.attachments(doc, val),
                "PermissionsBoundary" => boundary = self.boundary(doc, val),
                _ => {}
            }
        }
        if !self.required(
            doc.span(v),
            "user",
            &name,
            &id,
            &arn,
            ["UserName", "UserId"],
        ) {
            return;
        }
        let (Some(name), Some(id), Some(arn)) = (name, id, arn) else {
            return;
        };
        self.see_arn(&arn);
        acc.users.push(User {
            name,
            id,
            arn,
            path: path.unwrap_or_else(|| self.interner.intern("/")),
            created,
            tags: exact(tags),
            groups: exact(groups),
            inline: exact(inline),
            attached: exact(attached),
            boundary,
        });
    }

    fn group(&mut self, doc: &Doc, v: NodeId, acc: &mut Account) {
        if self.not_object(doc, v, "group") {
            return;
        }
        let (mut name, mut id, mut arn, mut path, mut created) = (None, None, None, None, None);
        let (mut inline, mut attached) = (Vec::new(), Vec::new());
        let members = self.members(doc, v);
        for (k, val) in members {
            match &*doc.str(self.src, k) {
                "GroupName" => name = self.string(doc, val, "GroupName"),
                "GroupId" => id = self.string(doc, val, "GroupId"),
                "Arn" => arn = self.string(doc, val, "Arn"),
                "Path" => path = self.string(doc, val, "Path"),
                "CreateDate" => created = self.date(doc, val, "CreateDate"),
                "GroupPolicyList" => inline = self.inline_policies(doc, val, "GroupPolicyList"),
                "AttachedManagedPolicies" => attached = self.attachments(doc, val),
                _ => {}
            }
        }
        if !self.required(
            doc.span(v),
            "group",
            &name,
            &id,
            &arn,
            ["GroupName", "GroupId"],
        ) {
            return;
        }
        let (Some(name), Some(id), Some(arn)) = (name, id, arn) else {
            return;
        };
        self.see_arn(&arn);
        acc.groups.push(Group {
            name,
            id,
            arn,
            path: path.unwrap_or_else(|| self.interner.intern("/")),
            created,
            inline: exact(inline),
            attached: exact(attached),
            members: Vec::new(),
        });
    }

    fn role(&mut self, doc: &Doc, v: NodeId, acc: &mut Account) {
        if self.not_object(doc, v, "role") {
            return;
        }
        let (mut name, mut id, mut arn, mut path, mut created) = (None, None, None, None, None);
        let (mut description, mut max_session, mut trust, mut last_used) = (None, None, None, None);
        let (mut tags, mut inline, mut attached, mut boundary, mut profiles) =
            (Vec::new(), Vec::new(), Vec::new(), None, Vec::new());
        let members = self.members(doc, v);
        for (k, val) in members {
            match &*doc.str(self.src, k) {
                "RoleName" => name = self.string(doc, val, "RoleName"),
                "RoleId" => id = self.string(doc, val, "RoleId"),
                "Arn" => arn = self.string(doc, val, "Arn"),
                "Path" => path = self.string(doc, val, "Path"),
                "CreateDate" => created = self.date(doc, val, "CreateDate"),
                "Description" => description = self.string(doc, val, "Description"),
                "MaxSessionDuration" => max_session = self.number(doc, val, "MaxSessionDuration"),
                "AssumeRolePolicyDocument" => {
                    trust = self.document(doc, val, "AssumeRolePolicyDocument")
                }
                "Tags" => tags = self.tags(doc, val),
                "RolePolicyList" => inline = self.inline_policies(doc, val, "RolePolicyList"),
                "AttachedManagedPolicies" => attached = self.attachments(doc, val),
                "PermissionsBoundary" => boundary = self.boundary(doc, val),
                "RoleLastUsed" if doc.kind(val) == Kind::Object => {
                    let date = doc
                        .get(self.src, val, "LastUsedDate")
                        .and_then(|d| self.date(doc, d, "RoleLastUsed.LastUsedDate"));
                    let region = doc
                        .get(self.src, val, "Region")
                        .and_then(|d| self.string(doc, d, "RoleLastUsed.Region"));
                    // `{}`: not used in IAM's tracking period (400 days), which is worth knowing too.
                    last_used = Some(RoleLastUsed { date, region });
                }
                "InstanceProfileList" => {
                    for (i, ip) in self
                        .list(doc, val, "InstanceProfileList")
                        .into_iter()
                        .enumerate()
                    {
                        if let Some(p) = self.instance_profile(doc, ip, i) {
                            profiles.push(p);
                        }
                    }
                }
                _ => {}
            }
        }
        if !self.required(
            doc.span(v),
            "role",
            &name,
            &id,
            &arn,
            ["RoleName", "RoleId"],
        ) {
            return;
        }
        let (Some(name), Some(id), Some(arn)) = (name, id, arn) else {
            return;
        };
        self.see_arn(&arn);
        if trust.is_none() {
            let loc = self.at("AssumeRolePolicyDocument");
            self.warn(
                doc.span(v),
                WarningKind::Skipped,
                loc,
                format!("role `{name}` has no readable trust policy: who may assume it is unknown"),
            );
        }
        let path = path.unwrap_or_else(|| self.interner.intern("/"));
        let profile_arns = profiles
            .iter()
            .map(|p: &InstanceProfile| p.arn.clone())
            .collect();
        // Repeats (a profile listed by each of its roles) are dropped when the parts are put together.
        acc.instance_profiles.extend(profiles);
        acc.roles.push(Role {
            name,
            id,
            arn,
            kind: RoleKind::from_path(&path),
            path,
            created,
            description,
            max_session_duration: max_session,
            tags: exact(tags),
            trust,
            inline: exact(inline),
            attached: exact(attached),
            boundary,
            instance_profiles: exact(profile_arns),
            last_used,
        });
    }

    fn instance_profile(&mut self, doc: &Doc, v: NodeId, i: usize) -> Option<InstanceProfile> {
        let here = format!("InstanceProfileList[{i}]");
        if doc.kind(v) != Kind::Object {
            let loc = self.at(&here);
            self.warn(
                doc.span(v),
                WarningKind::Skipped,
                loc,
                "an instance profile must be an object; skipped".into(),
            );
            return None;
        }
        let get = |s: &mut Self, key: &str| {
            doc.get(s.src, v, key)
                .and_then(|n| s.string(doc, n, &format!("{here}.{key}")))
        };
        let name = get(self, "InstanceProfileName");
        let id = get(self, "InstanceProfileId");
        let arn = get(self, "Arn");
        let path = get(self, "Path");
        let created = doc
            .get(self.src, v, "CreateDate")
            .and_then(|d| self.date(doc, d, &format!("{here}.CreateDate")));
        let mut roles = Vec::new();
        if let Some(rs) = doc.get(self.src, v, "Roles") {
            for r in self.list(doc, rs, &format!("{here}.Roles")) {
                if let Some(n) = doc.get(self.src, r, "RoleName")
                    && let Some(n) = self.string(doc, n, &format!("{here}.Roles.RoleName"))
                {
                    roles.push(n);
                }
            }
        }
        match (name, id, arn) {
            (Some(name), Some(id), Some(arn)) => Some(InstanceProfile {
                name,
                id,
                arn,
                path: path.unwrap_or_else(|| self.interner.intern("/")),
                created,
                roles,
            }),
            _ => {
                let loc = self.at(&here);
                self.warn(
                doc.span(v),
                    WarningKind::Skipped,
                    loc,
                    "an instance profile needs `InstanceProfileName`, `InstanceProfileId` and `Arn`; skipped".into(),
                );
                None
            }
        }
    }

    fn policy(&mut self, doc: &Doc, v: NodeId, acc: &mut Account) {
        if self.not_object(doc, v, "managed policy") {
            return;
        }
        let (mut name, mut id, mut arn, mut path, mut created, mut updated) =
            (None, None, None, None, None, None);
        let (
            mut default_version,
            mut attachment_count,
            mut boundary_usage,
            mut attachable,
            mut description,
        ) = (None, None, None, None, None);
        let mut versions = Vec::new();
        let members = self.members(doc, v);
        for (k, val) in members {
            match &*doc.str(self.src, k) {
                "PolicyName" => name = self.string(doc, val, "PolicyName"),
                "PolicyId" => id = self.string(doc, val, "PolicyId"),
                "Arn" => arn = self.string(doc, val, "Arn"),
                "Path" => path = self.string(doc, val, "Path"),
                "CreateDate" => created = self.date(doc, val, "CreateDate"),
                "UpdateDate" => updated = self.date(doc, val, "UpdateDate"),
                "DefaultVersionId" => default_version = self.string(doc, val, "DefaultVersionId"),
                "AttachmentCount" => attachment_count = self.number(doc, val, "AttachmentCount"),
                "PermissionsBoundaryUsageCount" => {
                    boundary_usage = self.number(doc, val, "PermissionsBoundaryUsageCount")
                }
                "IsAttachable" => attachable = self.boolean(doc, val, "IsAttachable"),
                "Description" => description = self.string(doc, val, "Description"),
                "PolicyVersionList" => {
                    for (i, pv) in self
                        .list(doc, val, "PolicyVersionList")
                        .into_iter()
                        .enumerate()
                    {
                        let here = format!("PolicyVersionList[{i}]");
                        let vid = doc
                            .get(self.src, pv, "VersionId")
                            .and_then(|n| self.string(doc, n, &format!("{here}.VersionId")));
                        let Some(vid) = vid else {
                            let loc = self.at(&here);
                            self.warn(
                                doc.span(pv),
                                WarningKind::Skipped,
                                loc,
                                "a policy version needs `VersionId`; skipped".into(),
                            );
                            continue;
                        };
                        let is_default = doc
                            .get(self.src, pv, "IsDefaultVersion")
                            .and_then(|n| self.boolean(doc, n, &format!("{here}.IsDefaultVersion")))
                            .unwrap_or(false);
                        let created = doc
                            .get(self.src, pv, "CreateDate")
                            .and_then(|n| self.date(doc, n, &format!("{here}.CreateDate")));
                        let d = doc
                            .get(self.src, pv, "Document")
                            .and_then(|n| self.document(doc, n, &format!("{here}.Document")));
                        versions.push(PolicyVersion {
                            id: vid,
                            is_default,
                            created,
                            doc: d,
                        });
                    }
                }
                _ => {}
            }
        }
        if !self.required(
            doc.span(v),
            "managed policy",
            &name,
            &id,
            &arn,
            ["PolicyName", "PolicyId"],
        ) {
            return;
        }
        let (Some(name), Some(id), Some(arn)) = (name, id, arn) else {
            return;
        };
        let aws_managed = arn_account(&arn) == Some("aws");
        if !aws_managed {
            self.see_arn(&arn);
        }
        let mp = ManagedPolicy {
            name,
            id,
            arn,
            path: path.unwrap_or_else(|| self.interner.intern("/")),
            aws_managed,
            default_version,
            attachment_count,
            boundary_usage_count: boundary_usage,
            is_attachable: attachable.unwrap_or(true),
            description,
            created,
            updated,
            versions: exact(versions),
        };
        if mp.default_doc().is_none() {
            let loc = self.at("PolicyVersionList");
            self.warn(
                doc.span(v),
                WarningKind::Dangling,
                loc,
                format!(
                    "managed policy `{}` has no readable default version: what it grants is unknown",
                    mp.name
                ),
            );
        }
        acc.policies.push(mp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An export with what the converting half must keep in order across parts: URL-encoded documents (new
    /// texts, numbered in the file's order), wrong-shaped elements and keys (warnings), `IsTruncated` and
    /// `Marker`, and one instance profile listed by two roles far apart (kept once, the first time).
    fn awkward_export() -> String {
        let spec = crate::generate::Spec {
            users: 300,
            groups: 20,
            roles: 700,
            policies: 60,
            url_encoded: true,
            ..crate::generate::Spec::large()
        };
        let mut v: serde_json::Value =
            serde_json::from_str(&crate::generate::to_string(&spec)).expect("generated JSON");
        let roles = v["RoleDetailList"].as_array_mut().expect("roles");
        let profile = serde_json::json!([{
            "Path": "/", "InstanceProfileName": "shared", "InstanceProfileId": "AIPASHARED",
            "Arn": "arn:aws:iam::999988887777:instance-profile/shared", "Roles": [],
        }]);
        roles[3]["InstanceProfileList"] = profile.clone();
        roles[650]["InstanceProfileList"] = profile;
        v["UserDetailList"]
            .as_array_mut()
            .expect("users")
            .insert(150, serde_json::json!(7));
        let body = serde_json::to_string(&v).expect("JSON");
        // Keys before the lists, in an order `serde_json` would not keep: a list that is not one, an unknown
        // key, and the paging keys.
        format!(
            "{{\"GroupDetailList\": \"oops\", \"Oddity\": 1, \"IsTruncated\": true, \"Marker\": \"m-1\", {}",
            body.strip_prefix('{').expect("an object")
        )
    }

    fn parse(text: &crate::text::Text, reading: Reading) -> Result<ParsedExport, LoadError> {
        let mut interner = Interner::default();
        parse_export(
            "x.json",
            text.clone(),
            &mut interner,
            &mut |_, _| {},
            reading,
        )
    }

    #[test]
    fn an_export_read_on_several_threads_is_the_one_read_on_one() {
        let text: crate::text::Text = Arc::new(awkward_export());
        let one = parse(&text, Reading::OneThread).expect("parsed");
        // What the awkward parts made, on one thread.
        assert!(one.acc.truncated);
        assert_eq!(one.marker.as_deref(), Some("m-1"));
        let messages: Vec<(&str, &str)> = one
            .warnings
            .iter()
            .map(|w| (w.location.as_str(), w.message.as_str()))
            .collect();
        assert_eq!(
            messages.first(),
            Some(&(
                "$.GroupDetailList",
                "`GroupDetailList` must be an array, found a string; skipped"
            ))
        );
        assert_eq!(
            messages.get(1).map(|m| m.1),
            Some("unknown top-level key `Oddity` ignored")
        );
        assert!(
            messages.iter().any(|m| m.0 == "$.UserDetailList[150]"),
            "{messages:?}"
        );
        let shared = one
            .acc
            .instance_profiles
            .iter()
            .filter(|p| p.name.as_ref() == "shared")
            .count();
        assert_eq!(shared, 1);
        assert_eq!(one.acc.users.len(), 300);
        assert_eq!(one.acc.roles.len(), 700);
        // Every URL-encoded document is a text of its own, and the number a document names is its text's.
        assert!(one.new_sources.len() > 1000, "{}", one.new_sources.len());
        for r in &one.acc.roles {
            let t = r.trust.as_ref().expect("trust");
            let source = one
                .new_sources
                .get(t.source.0 as usize - 1)
                .expect("its text");
            assert!(source.name.contains(".AssumeRolePolicyDocument"));
            let at = source.at(t.policy.span);
            assert!(at.contains("sts:AssumeRole"), "{at}");
        }
        let seen = |p: &ParsedExport| {
            let mut v: Vec<_> = p
                .accounts_seen
                .iter()
                .map(|(k, n)| (k.clone(), *n))
                .collect();
            v.sort();
            v
        };
        // The same, element for element, on threads (more converters than cores too).
        for reading in [
            Reading::Threads(1),
            Reading::Threads(2),
            Reading::Threads(5),
        ] {
            let many = parse(&text, reading).expect("parsed");
            assert_eq!(
                format!("{:?}", one.acc),
                format!("{:?}", many.acc),
                "{reading:?}"
            );
            assert_eq!(
                format!("{:?}", one.warnings),
                format!("{:?}", many.warnings)
            );
            let texts = |p: &ParsedExport| {
                p.new_sources
                    .iter()
                    .map(|s| (s.name.clone(), s.text().into_owned()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(texts(&one), texts(&many));
            assert_eq!(seen(&one), seen(&many));
            assert_eq!(one.marker, many.marker);
        }
        // Progress is heard on the calling thread as the parts are put together: forward, and up to the end.
        let mut heard = Vec::new();
        let mut interner = Interner::default();
        parse_export(
            "x.json",
            text.clone(),
            &mut interner,
            &mut |done, len| heard.push((done, len)),
            Reading::Threads(2),
        )
        .expect("parsed");
        assert!(heard.len() > 5, "{heard:?}");
        assert!(heard.windows(2).all(|w| w[0].0 <= w[1].0), "{heard:?}");
        let last = heard.last().copied().unwrap_or_default();
        assert_eq!(last.1, text.len());
        assert!(last.0 > text.len() * 9 / 10, "{last:?}");
    }

    #[test]
    fn a_syntax_error_on_threads_is_the_one_on_one_thread() {
        let mut text = awkward_export();
        // Cut in the middle of the roles.
        let cut = text.find("\"RoleDetailList\"").expect("roles") + 5_000;
        text.truncate(cut);
        let text: crate::text::Text = Arc::new(text);
        let error = |reading| parse(&text, reading).err().map(|e| e.to_string());
        let one = error(Reading::OneThread).expect("a syntax error");
        assert!(one.starts_with("x.json:1:"), "{one}");
        assert_eq!(error(Reading::Threads(2)).as_deref(), Some(one.as_str()));
    }
}
