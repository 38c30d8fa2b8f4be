//! The rows of one row kind ([`super::kinds::Plan`]) over a [`Scope`]: one query in the
//! plan's key order, for CSV exports (streamed) and the JSON API (paged by key).

use super::{kinds::Plan, scope::Scope};
use crate::read::sql::Arg;

/// A page of rows after a key, for plans ordered by one id column (the JSON API).
#[derive(Clone, Copy, Debug)]
pub struct Page {
    pub after: Option<i64>,
    pub limit: i64,
}

/// SQL and arguments for `plan` over `scope`, in the plan's key order.
pub fn query(
    plan: &Plan,
    scope: &Scope,
    window_ms: (i64, i64),
    page: Option<Page>,
) -> (String, Vec<Arg>) {
    let mut c = scope.conditions(plan.level, window_ms);
    if let Some(after) = page.and_then(|p| p.after) {
        c.push(&format!("{} > ?", plan.order_by), Arg::Int(after));
    }
    let mut sql = format!(
        "SELECT {} FROM {} {} ORDER BY {}",
        plan.select_list(),
        plan.from,
        c.where_sql(),
        plan.order_by
    );
    let mut args = c.args;
    if let Some(page) = page {
        sql.push_str(&format!(" LIMIT ${}", args.len() + 1));
        args.push(Arg::Int(page.limit));
    }
    (sql, args)
}

/// SQL for the one row of `plan` whose key is `$1`, for plans keyed by one column.
pub fn by_key(plan: &Plan) -> String {
    format!(
        "SELECT {} FROM {} WHERE {} = $1",
        plan.select_list(),
        plan.from,
        plan.order_by
    )
}
