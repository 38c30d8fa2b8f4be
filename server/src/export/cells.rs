//! Writing cells into a CSV buffer without allocating per row: integers through `itoa`,
//! times through pre-parsed chrono items, text neutralised when a spreadsheet would run it.

use std::{
    fmt::Write as _,
    io,
    sync::{Arc, Mutex, MutexGuard},
};

use bytes::{Bytes, BytesMut};
use chrono::{
    DateTime,
    format::{Item, StrftimeItems},
};
use strata_core::model::filters::format_day;

/// Flush the buffer to the reader once it holds about this much.
pub const CHUNK_BYTES: usize = 64 * 1024;

/// `2026-01-31T12:00:00.000Z`
const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.3fZ";

/// Whether a spreadsheet would read `text` as a formula (OWASP's list: `=`, `+`, `-`, `@`,
/// tab, carriage return).
pub fn is_formula_like(text: &str) -> bool {
    matches!(
        text.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// The buffer the CSV writer flushes into (every 8 KiB) and chunks are split off. Shared
/// because `csv::Writer` only lends its writer immutably; the lock is never contended.
#[derive(Clone, Default)]
struct ChunkBuffer(Arc<Mutex<BytesMut>>);

impl ChunkBuffer {
    fn lock(&self) -> MutexGuard<'_, BytesMut> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl io::Write for ChunkBuffer {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.lock().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A CSV record buffer that hands out ~64 KiB chunks.
pub struct RecordWriter {
    csv: csv::Writer<ChunkBuffer>,
    buffer: ChunkBuffer,
    int: itoa::Buffer,
    scratch: String,
    time_items: Vec<Item<'static>>,
}

impl Default for RecordWriter {
    fn default() -> Self {
        RecordWriter::new()
    }
}

impl RecordWriter {
    pub fn new() -> RecordWriter {
        let buffer = ChunkBuffer::default();
        buffer.lock().reserve(CHUNK_BYTES + CHUNK_BYTES / 4);
        RecordWriter {
            csv: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(buffer.clone()),
            buffer,
            int: itoa::Buffer::new(),
            scratch: String::with_capacity(64),
            time_items: StrftimeItems::new(TIME_FORMAT)
                .parse_to_owned()
                .expect("the time format is valid"),
        }
    }

    pub fn header(&mut self, names: impl IntoIterator<Item = &'static str>) -> csv::Result<()> {
        self.csv.write_record(names)
    }

    pub fn int(&mut self, value: Option<i64>) -> csv::Result<()> {
        match value {
            Some(v) => self.csv.write_field(self.int.format(v)),
            None => self.csv.write_field(b""),
        }
    }

    /// A ratio or percentile; empty when there is nothing to divide.
    pub fn float(&mut self, value: Option<f64>) -> csv::Result<()> {
        self.scratch.clear();
        if let Some(v) = value.filter(|v| v.is_finite()) {
            let _ = write!(self.scratch, "{}", (v * 10_000.0).round() / 10_000.0);
        }
        self.csv.write_field(self.scratch.as_bytes())
    }

    pub fn text(&mut self, value: Option<&str>) -> csv::Result<()> {
        match value {
            Some(text) if is_formula_like(text) => {
                self.scratch.clear();
                self.scratch.push('\'');
                self.scratch.push_str(text);
                self.csv.write_field(self.scratch.as_bytes())
            }
            Some(text) => self.csv.write_field(text),
            None => self.csv.write_field(b""),
        }
    }

    pub fn time(&mut self, ms: Option<i64>) -> csv::Result<()> {
        self.scratch.clear();
        if let Some(at) = ms.and_then(DateTime::from_timestamp_millis) {
            let _ = write!(
                self.scratch,
                "{}",
                at.format_with_items(self.time_items.iter())
            );
        }
        self.csv.write_field(self.scratch.as_bytes())
    }

    /// Days since 1970-01-01 as `YYYY-MM-DD`.
    pub fn day(&mut self, day: i64) -> csv::Result<()> {
        self.csv.write_field(format_day(day))
    }

    pub fn bool(&mut self, value: Option<bool>) -> csv::Result<()> {
        self.csv.write_field(match value {
            Some(true) => "true",
            Some(false) => "false",
            None => "",
        })
    }

    /// End the current record.
    pub fn end(&mut self) -> csv::Result<()> {
        self.csv.write_record(None::<&[u8]>)
    }

    /// Whether enough is buffered to send a chunk.
    pub fn chunk_ready(&self) -> bool {
        self.buffer.lock().len() >= CHUNK_BYTES
    }

    /// Everything written so far. The buffer's memory is reused once the chunk is dropped.
    pub fn take_chunk(&mut self) -> csv::Result<Bytes> {
        self.csv.flush()?;
        let mut buffer = self.buffer.lock();
        let chunk = buffer.split().freeze();
        buffer.reserve(CHUNK_BYTES + CHUNK_BYTES / 4);
        Ok(chunk)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(write: impl FnOnce(&mut RecordWriter) -> csv::Result<()>) -> String {
        let mut w = RecordWriter::new();
        write(&mut w).unwrap();
        w.end().unwrap();
        String::from_utf8(w.take_chunk().unwrap().to_vec()).unwrap()
    }

    #[test]
    fn formula_text_is_neutralised_and_numbers_are_not() {
        let line = record(|w| {
            w.text(Some("=HYPERLINK(\"http://x\",\"y\")"))?;
            w.text(Some("-rf"))?;
            w.text(Some("a,b\n\"c\""))?;
            w.int(Some(-42))?;
            w.text(None)
        });
        assert_eq!(
            line,
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'-rf,\"a,b\n\"\"c\"\"\",-42,\r\n"
        );
    }

    #[test]
    fn times_are_iso_8601_utc_with_milliseconds() {
        let line = record(|w| {
            w.time(Some(1_767_225_600_123))?;
            w.time(None)?;
            w.day(20_454)?;
            w.bool(Some(true))?;
            w.float(Some(2.0 / 3.0))
        });
        assert_eq!(line, "2026-01-01T00:00:00.123Z,,2026-01-01,true,0.6667\r\n");
    }

    #[test]
    fn chunks_come_out_once_the_buffer_is_full() {
        let mut w = RecordWriter::new();
        let mut rows = 0;
        while !w.chunk_ready() {
            w.text(Some("a row of text that fills the buffer")).unwrap();
            w.end().unwrap();
            rows += 1;
        }
        let chunk = w.take_chunk().unwrap();
        assert!(chunk.len() >= CHUNK_BYTES && chunk.len() < CHUNK_BYTES + 16 * 1024);
        assert_eq!(chunk.iter().filter(|&&b| b == b'\n').count(), rows);
        assert!(!w.chunk_ready());
    }
}
