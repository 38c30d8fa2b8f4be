//! Row kinds straight from the store: one query, streamed row by row into the CSV buffer.
//! Rows are never collected; each is decoded (borrowing its text) and written at once.

use futures::TryStreamExt;
use sqlx::{ColumnIndex, Decode, Row, Type};
use strata_core::{
    bind_args,
    db::{Db, params},
    read::sql::Arg,
    with_pool,
};

use strata_core::read::export::{
    kinds::{Cell, Column, Plan},
    rows::query,
    scope::Scope,
};

use super::{ExportError, sink::CsvSink};

/// Write the header and every row of `plan` over `scope`.
#[tracing::instrument(skip_all, fields(project = ?scope.filters.project, pipeline = ?scope.pipeline))]
pub async fn write(
    db: &Db,
    plan: &Plan,
    scope: &Scope,
    window_ms: (i64, i64),
    sink: &mut CsvSink,
) -> Result<(), ExportError> {
    sink.out.header(plan.columns.iter().map(|c| c.name))?;
    let (sql, args) = query(plan, scope, window_ms, None);
    if let Some(reader) = db.sqlite_reader() {
        let columns = plan.columns;
        let mut split = sink.split_off();
        let (split, written) = reader
            .read(move |conn| {
                let written = write_sqlite(conn, &sql, &args, columns, &mut split);
                Ok((split, written))
            })
            .await?;
        sink.rejoin(split);
        return written;
    }
    with_pool!(db.pool(), pool => {
        let mut rows = bind_args!(sqlx::query(&sql), &args).fetch(pool);
        while let Some(row) = rows.try_next().await? {
            write_record(&row, plan.columns, sink)?;
            sink.end_row().await?;
        }
    });
    Ok(())
}

/// Decode `row`'s cells by position, as the columns say, on either backend.
fn write_record<R>(row: &R, columns: &[Column], sink: &mut CsvSink) -> Result<(), ExportError>
where
    R: Row,
    usize: ColumnIndex<R>,
    for<'r> &'r str: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> bool: Decode<'r, R::Database> + Type<R::Database>,
{
    let out = &mut sink.out;
    for (i, column) in columns.iter().enumerate() {
        match column.cell {
            Cell::Int => out.int(row.try_get::<Option<i64>, _>(i)?)?,
            Cell::Time => out.time(row.try_get::<Option<i64>, _>(i)?)?,
            Cell::Bool => out.bool(row.try_get::<Option<bool>, _>(i)?)?,
            Cell::Text => out.text(row.try_get::<Option<&str>, _>(i)?)?,
        }
    }
    Ok(())
}

/// [`write`] on a SQLite file, through rusqlite on a blocking thread: rows are decoded in
/// place and chunks handed over with a blocking send, so a reader that goes away (a closed
/// channel) stops the statement at the next full chunk.
fn write_sqlite(
    conn: &rusqlite::Connection,
    sql: &str,
    args: &[Arg],
    columns: &[Column],
    sink: &mut CsvSink,
) -> Result<(), ExportError> {
    let sqlite = |e: rusqlite::Error| ExportError::Db(sqlx::Error::AnyDriverError(Box::new(e)));
    let mut statement = conn.prepare(sql).map_err(sqlite)?;
    let mut rows = statement.query(params(args)).map_err(sqlite)?;
    while let Some(row) = rows.next().map_err(sqlite)? {
        let out = &mut sink.out;
        for (i, column) in columns.iter().enumerate() {
            let value = row.get_ref(i).map_err(sqlite)?;
            let int = || value.as_i64_or_null().map_err(|e| sqlite(e.into()));
            match column.cell {
                Cell::Int => out.int(int()?)?,
                Cell::Time => out.time(int()?)?,
                Cell::Bool => out.bool(int()?.map(|v| v != 0))?,
                Cell::Text => out.text(value.as_str_or_null().map_err(|e| sqlite(e.into()))?)?,
            }
        }
        sink.end_row_blocking()?;
    }
    Ok(())
}
