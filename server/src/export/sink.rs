//! Where CSV chunks go: a bounded channel to whoever reads the export (the HTTP body, the
//! CLI's file). At most a few chunks wait in it, so a slow reader slows the query down
//! instead of letting rows pile up; a reader that goes away makes the next send fail, which
//! ends the producer and drops the database stream.

use bytes::Bytes;
use tokio::sync::mpsc;

use super::{ExportError, cells::RecordWriter};

/// Chunks waiting for the reader, at most.
pub const CHANNEL_CHUNKS: usize = 4;

pub type ChunkSender = mpsc::Sender<Result<Bytes, ExportError>>;

pub struct CsvSink {
    pub out: RecordWriter,
    tx: ChunkSender,
    rows: u64,
}

impl CsvSink {
    pub fn new(tx: ChunkSender) -> CsvSink {
        CsvSink {
            out: RecordWriter::new(),
            tx,
            rows: 0,
        }
    }

    /// End the record being written and pass a chunk on when one is full.
    pub async fn end_row(&mut self) -> Result<(), ExportError> {
        if let Some(chunk) = self.row_ended()? {
            self.tx
                .send(Ok(chunk))
                .await
                .map_err(|_| ExportError::ReaderGone)?;
        }
        Ok(())
    }

    /// [`CsvSink::end_row`] for a producer on a blocking thread.
    pub fn end_row_blocking(&mut self) -> Result<(), ExportError> {
        if let Some(chunk) = self.row_ended()? {
            self.tx
                .blocking_send(Ok(chunk))
                .map_err(|_| ExportError::ReaderGone)?;
        }
        Ok(())
    }

    /// Count the record just written; a full chunk to pass on, if there is one.
    fn row_ended(&mut self) -> Result<Option<Bytes>, ExportError> {
        self.out.end()?;
        self.rows += 1;
        Ok(if self.out.chunk_ready() {
            Some(self.out.take_chunk()?)
        } else {
            None
        })
    }

    /// A sink for a producer on another thread: it sends to the same reader and continues
    /// this one's output (what is buffered moves over). [`CsvSink::rejoin`] takes it back;
    /// if it never comes back, this one can still report a failure to the reader.
    pub fn split_off(&mut self) -> CsvSink {
        CsvSink {
            out: std::mem::take(&mut self.out),
            tx: self.tx.clone(),
            rows: 0,
        }
    }

    pub fn rejoin(&mut self, other: CsvSink) {
        self.out = other.out;
        self.rows += other.rows;
    }

    /// Data rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Send what is left.
    pub async fn finish(mut self) -> Result<(), ExportError> {
        self.send().await
    }

    async fn send(&mut self) -> Result<(), ExportError> {
        let chunk = self.out.take_chunk()?;
        if chunk.is_empty() {
            return Ok(());
        }
        self.tx
            .send(Ok(chunk))
            .await
            .map_err(|_| ExportError::ReaderGone)
    }

    /// Tell the reader the export failed (it already has a partial file).
    pub async fn fail(&self, error: ExportError) {
        let _ = self.tx.send(Err(error)).await;
    }
}
