//! The write side of the database: the upserts that ingest uses, the rollups they keep
//! current, retention, and the trace queue. Reads live in [`crate::read`].

pub mod analysis;
pub mod deliveries;
pub mod merge;
pub mod records;
pub mod retention;
pub mod rollups;
pub mod sanitize;
pub mod sessions;
pub mod sync_state;
pub mod trace_queue;
pub mod writes;

use crate::{db::Tx, with_tx};

/// Ids bound per statement at most: SQLite allows 32,766 values, PostgreSQL 65,535.
pub const MAX_BINDS: usize = 30_000;

/// Run `{statement} IN (ids…)` for many ids, in as few statements as the bind limits allow;
/// `statement` ends with the column, e.g. `DELETE FROM trace_queue WHERE job_id`.
pub async fn execute_for_ids(tx: &mut Tx, statement: &str, ids: &[i64]) -> sqlx::Result<u64> {
    let mut affected = 0;
    for chunk in ids.chunks(MAX_BINDS) {
        affected += with_tx!(&mut *tx, c => {
            let mut q = sqlx::QueryBuilder::new(statement);
            q.push(" IN (");
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            q.push(")").build().execute(c).await?.rows_affected()
        });
    }
    Ok(affected)
}
