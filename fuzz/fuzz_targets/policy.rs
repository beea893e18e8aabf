//! The policy parser and the validator, for every kind of policy: no panic, every diagnostic's span inside the
//! text on character boundaries, every fix's range inside the text.
#![no_main]

use iam_atlas::policy::{Interner, parse_text};
use iam_atlas::validate::{IdentityKind, PolicyKind, validate};
use libfuzzer_sys::fuzz_target;

const KINDS: [PolicyKind; 7] = [
    PolicyKind::Identity(IdentityKind::Managed),
    PolicyKind::Identity(IdentityKind::AwsManaged),
    PolicyKind::Resource { service: Some("s3") },
    PolicyKind::Trust,
    PolicyKind::Session,
    PolicyKind::Scp,
    PolicyKind::Rcp,
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = parse_text(text, &mut Interner::default());
    for d in &parsed.diagnostics {
        assert!(d.span.start <= d.span.end && d.span.end as usize <= text.len());
    }
    // One kind per input keeps executions fast; the first byte picks it.
    let kind = KINDS[data.first().map_or(0, |b| *b as usize % KINDS.len())];
    for d in validate(text, kind) {
        let (s, e) = (d.span.start as usize, d.span.end as usize);
        assert!(s <= e && e <= text.len(), "{d:?}");
        assert!(text.is_char_boundary(s) && text.is_char_boundary(e), "{d:?}");
        if let Some(edit) = &d.fix {
            let (s, e) = (edit.span.start as usize, edit.span.end as usize);
            assert!(s <= e && e <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(e));
        }
    }
});
