//! CSV reports: every kind of row Strata stores, with the dashboard's filters. The rows and
//! their SQL come from `strata_core::read::export`; this module writes them as CSV.
//!
//! An export runs as its own task that streams rows from the database (on a SQLite file
//! through rusqlite on a blocking thread, on PostgreSQL with sqlx `fetch`), writes them into a
//! reused buffer and hands the reader ~64 KiB chunks through a bounded channel.
//! Memory stays flat whatever the row count, a slow reader slows the query, and a reader that
//! goes away (a closed HTTP connection) ends the task and with it the query. HTTP
//! (`/export/{kind}.csv`) and the command line (`strata export`) read the same chunks.

mod cells;
pub mod daily;
pub mod impact;
pub mod rows;
mod sink;

use std::{
    pin::Pin,
    task::{Context, Poll},
};

use bytes::Bytes;
use futures::Stream;
use strata_core::{db::Db, model::filters::format_day};
use tokio::sync::mpsc;

pub use cells::is_formula_like;
pub use strata_core::read::export::{kinds::Kind, scope::Scope};

use sink::{CHANNEL_CHUNKS, CsvSink};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("database error while exporting: {0}")]
    Db(#[from] sqlx::Error),
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("the reader of the export went away")]
    ReaderGone,
}

/// What to export.
#[derive(Clone, Debug, PartialEq)]
pub struct Export {
    pub kind: Kind,
    pub scope: Scope,
}

impl Export {
    /// `strata-<kind>-<project path or all>-<from>-<to>.csv` (or `…-pipeline-<id>.csv`),
    /// with anything but letters, digits, `.`, `_` and `-` replaced, so the name is safe in a
    /// `Content-Disposition` header and on any file system.
    pub fn file_name(&self, project_path: Option<&str>, now_ms: i64) -> String {
        let project = project_path.unwrap_or("all");
        let span = match self.scope.pipeline {
            Some(id) => format!("pipeline-{id}"),
            None => {
                let (from, to) = self.scope.filters.window.days(now_ms);
                format!("{}-{}", format_day(from), format_day(to))
            }
        };
        let name = format!("strata-{}-{project}-{span}", self.kind);
        let safe: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '_'
                }
            })
            .take(180)
            .collect();
        format!("{safe}.csv")
    }
}

/// The chunks of a running export, in order. Dropping it stops the export.
pub struct CsvChunks {
    rx: mpsc::Receiver<Result<Bytes, ExportError>>,
    task: tokio::task::JoinHandle<u64>,
}

impl CsvChunks {
    /// Stop reading, as a client that disconnects does, and wait for the export to end.
    /// Returns how many data rows it had written by then.
    pub async fn stop(self) -> u64 {
        drop(self.rx);
        self.task.await.unwrap_or(0)
    }
}

impl Stream for CsvChunks {
    type Item = Result<Bytes, ExportError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}

/// Start exporting; the window is resolved against `now_ms`.
pub fn start(db: Db, export: Export, now_ms: i64) -> CsvChunks {
    let (tx, rx) = mpsc::channel(CHANNEL_CHUNKS);
    let task = tokio::spawn(produce(db, export, now_ms, CsvSink::new(tx)));
    CsvChunks { rx, task }
}

/// Run an export into `sink`; returns the number of data rows written.
#[tracing::instrument(skip_all, fields(kind = %export.kind))]
async fn produce(db: Db, export: Export, now_ms: i64, mut sink: CsvSink) -> u64 {
    let window = export.scope.filters.window;
    let written = match (export.kind, export.kind.plan()) {
        (_, Some(plan)) => {
            rows::write(
                &db,
                plan,
                &export.scope,
                window.bounds_ms(now_ms),
                &mut sink,
            )
            .await
        }
        (Kind::Impact, None) => impact::write(&db, &export.scope, now_ms, &mut sink).await,
        (_, None) => daily::write(&db, &export.scope, window.days(now_ms), &mut sink).await,
    };
    let rows = sink.rows();
    // Errors are reported to the reader, which logs or prints them (once).
    match written {
        Ok(()) => match sink.finish().await {
            Ok(()) => tracing::debug!(rows, "export finished"),
            Err(_) => tracing::debug!(rows, "the reader went away before the last chunk"),
        },
        Err(ExportError::ReaderGone) => {
            tracing::debug!(rows, "the reader went away; export stopped")
        }
        Err(error) => sink.fail(error).await,
    }
    rows
}

#[cfg(test)]
mod tests {
    use strata_core::model::filters::{DAY_MS, Filters, Window};

    use super::*;

    #[test]
    fn file_names_say_what_is_inside_and_are_safe() {
        let export = Export {
            kind: Kind::CacheOps,
            scope: Scope {
                filters: Filters {
                    window: Window::Days {
                        from: 20_454,
                        to: 20_484,
                    },
                    ..Filters::default()
                },
                pipeline: None,
            },
        };
        assert_eq!(
            export.file_name(Some("group/sub\"x\r\n/app"), 0),
            "strata-cache-ops-group_sub_x___app-2026-01-01-2026-01-31.csv"
        );
        assert_eq!(
            export.file_name(None, 0),
            "strata-cache-ops-all-2026-01-01-2026-01-31.csv"
        );
        let one = Export {
            kind: Kind::Phases,
            scope: Scope {
                pipeline: Some(9),
                ..export.scope.clone()
            },
        };
        assert_eq!(
            one.file_name(Some("a/b"), 0),
            "strata-phases-a_b-pipeline-9.csv"
        );
        let preset = Export {
            kind: Kind::Jobs,
            scope: Scope::default(),
        };
        assert_eq!(
            preset.file_name(None, 20_484 * DAY_MS + 5),
            "strata-jobs-all-2026-01-02-2026-01-31.csv"
        );
    }
}
