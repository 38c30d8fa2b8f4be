//! Streaming line splitting: chunks of any size in, line segments out, with the
//! same segments whatever the chunk boundaries.
//!
//! `\n` ends a line. A lone `\r` also ends a segment: terminals use it to
//! overwrite the line (progress bars), and the runner writes it after every
//! section marker (`section_start:…:name\r\e[0K`), so what follows a `\r` is read
//! as if it started a line. `\r\n` is one line break. Logs whose `\r` were turned
//! into `\n` on the way (the runner's log-1 and log-3 fixtures) therefore read the
//! same as the originals.
//!
//! Memory is bounded: a line longer than [`MAX_LINE_BYTES`] is cut, keeping its
//! beginning (where every message this analyser reads is), and the rest is only
//! counted. A segment that fits in one chunk is passed on without copying.

use memchr::memchr2_iter;

use super::limits::MAX_LINE_BYTES;

#[derive(Debug, Clone, Copy)]
pub struct Segment<'a> {
    /// At most [`MAX_LINE_BYTES`] bytes, without the line break.
    pub bytes: &'a [u8],
    /// The segment was longer than the cap and was cut.
    pub cut: bool,
    /// The segment follows a lone `\r`: it continues the same log entry.
    pub after_cr: bool,
    /// 1-based line number (counting `\n`).
    pub line: u64,
}

/// Receives the segments. A trait rather than a closure so that the analyser's
/// per-segment check is inlined into the splitting loop (a closure was not, and
/// the call cost a tenth of the time on long logs).
pub trait SegmentSink {
    fn segment(&mut self, segment: Segment<'_>);
}

impl<F: FnMut(Segment<'_>)> SegmentSink for F {
    fn segment(&mut self, segment: Segment<'_>) {
        self(segment);
    }
}

#[derive(Debug, Default)]
pub struct LineSplitter {
    partial: Vec<u8>,
    /// Full length of the segment being accumulated across chunks (may pass the cap).
    partial_len: usize,
    pending_cr: bool,
    after_cr: bool,
    bytes: u64,
    newlines: u64,
    /// The last byte seen so far is `\n` (the log does not end mid-line).
    ends_with_newline: bool,
}

impl LineSplitter {
    pub fn feed(&mut self, chunk: &[u8], sink: &mut impl SegmentSink) {
        let Some(&last_byte) = chunk.last() else {
            return;
        };
        self.bytes = self.bytes.saturating_add(chunk.len() as u64);
        self.ends_with_newline = last_byte == b'\n';
        let mut start = 0;
        if self.pending_cr {
            self.pending_cr = false;
            if chunk.first() == Some(&b'\n') {
                self.end_line();
                start = 1;
            } else {
                self.after_cr = true;
            }
        }
        #[cfg(target_arch = "x86_64")]
        if let Some(searcher) = memchr::arch::x86_64::avx2::memchr::Two::new(b'\n', b'\r') {
            // Used directly, memchr's AVX2 searcher skips the per-call dispatch of
            // `memchr2_iter`, a tenth of the time on logs with short lines.
            let start = self.split(chunk, start, searcher.iter(chunk), sink);
            self.accumulate(chunk.get(start..).unwrap_or_default());
            return;
        }
        let start = self.split(chunk, start, memchr2_iter(b'\n', b'\r', chunk), sink);
        self.accumulate(chunk.get(start..).unwrap_or_default());
    }

    /// One pass over the chunk; per segment only a few instructions run here, so
    /// the hot state lives in locals. Returns where the unterminated rest begins.
    #[inline(always)]
    fn split(
        &mut self,
        chunk: &[u8],
        mut start: usize,
        breaks: impl Iterator<Item = usize>,
        sink: &mut impl SegmentSink,
    ) -> usize {
        let mut after_cr = self.after_cr;
        let mut newlines = self.newlines;
        for at in breaks {
            if at < start {
                // The `\n` of a `\r\n` whose line has already ended.
                continue;
            }
            let segment = chunk.get(start..at).unwrap_or_default();
            if self.partial_len == 0 {
                let kept = segment.get(..MAX_LINE_BYTES).unwrap_or(segment);
                let cut = segment.len() > MAX_LINE_BYTES;
                sink.segment(Segment {
                    bytes: kept,
                    cut,
                    after_cr,
                    line: newlines.saturating_add(1),
                });
            } else {
                (self.after_cr, self.newlines) = (after_cr, newlines);
                self.emit_partial(segment, sink);
            }
            start = at + 1;
            if chunk.get(at) == Some(&b'\n') {
                newlines = newlines.saturating_add(1);
                after_cr = false;
                continue;
            }
            match chunk.get(at + 1) {
                Some(b'\n') => {
                    newlines = newlines.saturating_add(1);
                    after_cr = false;
                    start = at + 2;
                }
                Some(_) => after_cr = true,
                None => self.pending_cr = true,
            }
        }
        (self.after_cr, self.newlines) = (after_cr, newlines);
        start
    }

    /// Passes on the last, unterminated segment.
    pub fn finish(&mut self, sink: &mut impl SegmentSink) {
        if self.partial_len > 0 {
            self.emit_partial(&[], sink);
        }
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Newlines, plus one for a last line without a newline.
    pub fn lines(&self) -> u64 {
        self.newlines
            .saturating_add(u64::from(self.bytes > 0 && !self.ends_with_newline))
    }

    /// Current line number, for warnings raised outside a segment.
    pub fn current_line(&self) -> u64 {
        self.newlines.saturating_add(1)
    }

    /// Capacity of the partial-line buffer, exposed so tests can check the bound.
    #[cfg(test)]
    pub fn buffer_capacity(&self) -> usize {
        self.partial.capacity()
    }

    fn end_line(&mut self) {
        self.newlines = self.newlines.saturating_add(1);
        self.after_cr = false;
    }

    fn accumulate(&mut self, bytes: &[u8]) {
        self.partial_len = self.partial_len.saturating_add(bytes.len());
        let room = MAX_LINE_BYTES.saturating_sub(self.partial.len());
        self.partial
            .extend_from_slice(bytes.get(..room.min(bytes.len())).unwrap_or_default());
    }

    /// Ends a segment that began in an earlier chunk.
    fn emit_partial(&mut self, tail: &[u8], sink: &mut impl SegmentSink) {
        let line = self.newlines.saturating_add(1);
        self.accumulate(tail);
        sink.segment(Segment {
            bytes: &self.partial,
            cut: self.partial_len > MAX_LINE_BYTES,
            after_cr: self.after_cr,
            line,
        });
        self.partial.clear();
        self.partial_len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(chunks: &[&[u8]]) -> Vec<(Vec<u8>, bool, bool, u64)> {
        let mut splitter = LineSplitter::default();
        let mut out = Vec::new();
        for chunk in chunks {
            splitter.feed(chunk, &mut |s: Segment<'_>| {
                out.push((s.bytes.to_vec(), s.cut, s.after_cr, s.line))
            });
        }
        splitter
            .finish(&mut |s: Segment<'_>| out.push((s.bytes.to_vec(), s.cut, s.after_cr, s.line)));
        out
    }

    #[test]
    fn breaks_on_lf_cr_and_crlf() {
        let whole = split(&[b"a\nb\rc\r\nd"]);
        let expected = vec![
            (b"a".to_vec(), false, false, 1),
            (b"b".to_vec(), false, false, 2),
            (b"c".to_vec(), false, true, 2),
            (b"d".to_vec(), false, false, 3),
        ];
        assert_eq!(whole, expected);
        assert_eq!(split(&[b"a\nb\r", b"c\r", b"\nd"]), expected);
        assert_eq!(
            split(&[b"a", b"\n", b"b", b"\r", b"c", b"\r", b"\n", b"d"]),
            expected
        );
    }

    #[test]
    fn long_lines_are_cut_the_same_way_whatever_the_chunks() {
        let mut log = vec![b'x'; MAX_LINE_BYTES + 10];
        log.extend_from_slice(b"\nend");
        let whole = split(&[&log]);
        let pieces: Vec<&[u8]> = log.chunks(1000).collect();
        assert_eq!(split(&pieces), whole);
        assert_eq!(
            whole.first().map(|s| (s.0.len(), s.1)),
            Some((MAX_LINE_BYTES, true))
        );
    }

    #[test]
    fn counts_lines_and_bounds_the_buffer() {
        let mut splitter = LineSplitter::default();
        let block = vec![b'y'; 1 << 20];
        for _ in 0..20 {
            splitter.feed(&block, &mut |_: Segment<'_>| {});
        }
        assert!(splitter.buffer_capacity() <= 2 * MAX_LINE_BYTES);
        splitter.feed(b"\nlast", &mut |_: Segment<'_>| {});
        assert_eq!(splitter.lines(), 2);
        let mut ended = LineSplitter::default();
        ended.feed(b"one\ntwo\n", &mut |_: Segment<'_>| {});
        assert_eq!(ended.lines(), 2);
    }
}
