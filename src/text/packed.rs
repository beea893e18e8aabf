//! A source text kept packed: LZ4 blocks of 64 KiB, each unpacked on its own when a range of it is read.
//!
//! An organisation's exports are read to be shown where something was written, rarely; kept as they were read,
//! their text was most of the memory of an open organisation (1.0× the files beside a model of 0.77×). Packed,
//! it is a fifth of that, and a range costs the blocks it crosses (about 30 µs a block). Each thread keeps the
//! two blocks it unpacked last, so that reading the policies of one file in their order unpacks each block
//! once.

use std::cell::RefCell;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes of text in a block.
const BLOCK: usize = 1 << 16;

/// A text packed in blocks ([`Packed::new`]); [`Packed::bytes`] and [`Packed::get`] read ranges of it.
#[derive(Debug)]
pub struct Packed {
    /// Tells this text's blocks apart in the threads' caches.
    id: u64,
    len: usize,
    blocks: Box<[Box<[u8]>]>,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A block a thread unpacked: (text id, block number, bytes).
type Recent = (u64, usize, Vec<u8>);

thread_local! {
    /// The two blocks this thread unpacked last, the latest first.
    static RECENT: RefCell<[Recent; 2]> = const { RefCell::new([(0, 0, Vec::new()), (0, 0, Vec::new())]) };
}

impl Packed {
    /// `text` packed.
    pub fn new(text: &str) -> Packed {
        let blocks = text
            .as_bytes()
            .chunks(BLOCK)
            .map(|b| lz4_flex::block::compress(b).into_boxed_slice())
            .collect();
        Packed {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            len: text.len(),
            blocks,
        }
    }

    /// Bytes of the text.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True for an empty text.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes kept (the packed blocks, without the allocator's rounding).
    pub fn packed_len(&self) -> usize {
        self.blocks.iter().map(|b| b.len()).sum()
    }

    /// Bytes in block `i` once unpacked.
    fn block_len(&self, i: usize) -> usize {
        self.len.saturating_sub(i * BLOCK).min(BLOCK)
    }

    fn unpack_block(&self, i: usize, into: &mut Vec<u8>) -> bool {
        let Some(packed) = self.blocks.get(i) else {
            return false;
        };
        into.clear();
        into.resize(self.block_len(i), 0);
        // Never fails on blocks this type packed; `checked-decode` makes a failure an error, not a bad read.
        lz4_flex::block::decompress_into(packed, into).is_ok_and(|n| n == into.len())
    }

    /// Call `f` with block `i` unpacked (from this thread's cache when it is there); false when it is not a
    /// block of the text.
    fn with_block(&self, i: usize, f: &mut dyn FnMut(&[u8])) -> bool {
        let cached = RECENT.try_with(|recent| {
            let Ok(mut recent) = recent.try_borrow_mut() else {
                return None;
            };
            let hit = recent
                .iter()
                .position(|(id, b, _)| *id == self.id && *b == i);
            // The latest first: the one found, or the older one, unpacked again for this block.
            if hit != Some(0) {
                recent.swap(0, 1);
            }
            let [latest, _] = &mut *recent;
            if hit.is_none() {
                if !self.unpack_block(i, &mut latest.2) {
                    latest.0 = 0;
                    return Some(false);
                }
                latest.0 = self.id;
                latest.1 = i;
            }
            f(&latest.2);
            Some(true)
        });
        match cached {
            Ok(Some(ok)) => ok,
            // No cache on this thread (it is ending, or `f` reads this text again): unpack for this call only.
            _ => {
                let mut bytes = Vec::new();
                let ok = self.unpack_block(i, &mut bytes);
                if ok {
                    f(&bytes);
                }
                ok
            }
        }
    }

    /// Call `f` with the bytes of `range` a block's part at a time, in order; false when `range` is not inside
    /// the text.
    pub fn for_each_piece(&self, range: Range<usize>, f: &mut dyn FnMut(&[u8])) -> bool {
        if range.start > range.end || range.end > self.len {
            return false;
        }
        let mut at = range.start;
        while at < range.end {
            let i = at / BLOCK;
            let from = at - i * BLOCK;
            let to = (range.end - i * BLOCK).min(BLOCK);
            let ok = self.with_block(i, &mut |b| f(b.get(from..to).unwrap_or_default()));
            if !ok {
                return false;
            }
            at = i * BLOCK + to;
        }
        true
    }

    /// The bytes of `range`, or `None` when it is not inside the text.
    pub fn bytes(&self, range: Range<usize>) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(range.len());
        let ok = self.for_each_piece(range.clone(), &mut |b| out.extend_from_slice(b));
        (ok && out.len() == range.len()).then_some(out)
    }

    /// The text of `range`, or `None` when it is not a range of character boundaries inside the text (as
    /// `str::get`).
    pub fn get(&self, range: Range<usize>) -> Option<String> {
        String::from_utf8(self.bytes(range)?).ok()
    }

    /// Call `f` with each block's bytes in order (the whole text, a block at a time).
    pub fn for_each_block(&self, f: &mut dyn FnMut(&[u8])) {
        let mut bytes = Vec::new();
        for i in 0..self.blocks.len() {
            if self.unpack_block(i, &mut bytes) {
                f(&bytes);
            }
        }
    }

    /// The whole text.
    pub fn unpack(&self) -> String {
        let mut out = Vec::with_capacity(self.len);
        self.for_each_block(&mut |b| out.extend_from_slice(b));
        // The blocks are the bytes of a `str`, so this holds; an empty text otherwise rather than a panic.
        String::from_utf8(out).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(n: usize) -> String {
        // Multi-byte characters across block boundaries, and enough repetition to pack.
        let mut s = String::new();
        let mut i = 0;
        while s.len() < n {
            s.push_str(&format!(
                "{{\"Sid\": \"é{i}\", \"Action\": \"s3:Get*\"}}\r\n"
            ));
            i += 1;
        }
        s
    }

    #[test]
    fn every_range_reads_as_the_text_does() {
        let t = text(3 * BLOCK + 1234);
        let p = Packed::new(&t);
        assert_eq!(p.len(), t.len());
        assert!(
            p.packed_len() * 2 < t.len(),
            "{} of {}",
            p.packed_len(),
            t.len()
        );
        assert_eq!(p.unpack(), t);
        let points = [
            0,
            1,
            BLOCK - 2,
            BLOCK - 1,
            BLOCK,
            BLOCK + 1,
            2 * BLOCK - 1,
            2 * BLOCK + 7,
            3 * BLOCK,
            t.len() - 1,
            t.len(),
        ];
        for &a in &points {
            for &b in &points {
                assert_eq!(p.get(a..b).as_deref(), t.get(a..b), "{a}..{b}");
                if a <= b {
                    assert_eq!(p.bytes(a..b).as_deref(), Some(&t.as_bytes()[a..b]));
                }
            }
        }
        assert_eq!(p.get(0..t.len() + 1), None);
        assert_eq!(Packed::new("").get(0..0).as_deref(), Some(""));
    }

    #[test]
    fn two_texts_read_in_turn_keep_their_own_blocks() {
        let (a, b) = (text(BLOCK * 2), text(BLOCK * 2).replace('é', "ü"));
        let (pa, pb) = (Packed::new(&a), Packed::new(&b));
        for k in 0..50 {
            let r = (k * 977) % (BLOCK * 2 - 300);
            let r = r..r + 300;
            assert_eq!(
                pa.bytes(r.clone()).as_deref(),
                Some(&a.as_bytes()[r.clone()])
            );
            assert_eq!(pb.bytes(r.clone()).as_deref(), Some(&b.as_bytes()[r]));
        }
    }
}
