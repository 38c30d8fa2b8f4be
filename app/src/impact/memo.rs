//! Impact reports kept between requests, per project data version.
//!
//! A report reads every job of its window (hundreds of milliseconds at a million jobs), and
//! the overview needs one per project. Every change to a project's jobs or pipelines marks a
//! rollup day dirty, and the refresher bumps `projects.data_version` once it has folded the
//! change in (`strata::store::rollups`), so a report computed at a version stays right until
//! the version moves: it is then computed again on the next request. Reports lag ingest as
//! the rollups do (one refresh interval), on every replica alike, since the version is
//! read from the database.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use super::{fetch::Scope, project_impact};
use crate::{db::Db, model::filters::Filters, model::impact::ImpactReport, with_pool};

/// Reports kept at most (a report is tens of kilobytes).
const CAPACITY: usize = 256;

#[derive(Clone, Debug, Default)]
pub struct ReportCache {
    inner: Arc<Mutex<Entries>>,
}

#[derive(Debug, Default)]
struct Entries {
    by_scope: HashMap<Scope, Entry>,
    /// Bumped on every use; the least recently used entry goes first when full.
    clock: u64,
}

#[derive(Debug)]
struct Entry {
    version: i64,
    report: Arc<ImpactReport>,
    used: u64,
}

impl ReportCache {
    /// [`project_impact`], reused while the project's data version stays the same.
    pub async fn project_impact(
        &self,
        db: &Db,
        project: i64,
        filters: &Filters,
        now_ms: i64,
    ) -> sqlx::Result<Arc<ImpactReport>> {
        let scope = Scope::new(project, filters, now_ms);
        let Some(version) = data_version(db, project).await? else {
            // No such project: an empty report, nothing worth keeping.
            return Ok(Arc::new(
                project_impact(db, project, filters, now_ms).await?,
            ));
        };
        if let Some(report) = self.get(&scope, version) {
            return Ok(report);
        }
        let report = Arc::new(project_impact(db, project, filters, now_ms).await?);
        self.put(scope, version, report.clone());
        Ok(report)
    }

    fn get(&self, scope: &Scope, version: i64) -> Option<Arc<ImpactReport>> {
        let mut entries = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        entries.clock += 1;
        let now = entries.clock;
        let entry = entries.by_scope.get_mut(scope)?;
        (entry.version == version).then(|| {
            entry.used = now;
            entry.report.clone()
        })
    }

    fn put(&self, scope: Scope, version: i64, report: Arc<ImpactReport>) {
        let mut entries = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if entries.by_scope.len() >= CAPACITY && !entries.by_scope.contains_key(&scope) {
            let oldest = entries
                .by_scope
                .iter()
                .min_by_key(|(_, e)| e.used)
                .map(|(s, _)| s.clone());
            if let Some(oldest) = oldest {
                entries.by_scope.remove(&oldest);
            }
        }
        entries.clock += 1;
        let used = entries.clock;
        entries.by_scope.insert(
            scope,
            Entry {
                version,
                report,
                used,
            },
        );
    }
}

/// The project's data version; `None` when there is no such project.
async fn data_version(db: &Db, project: i64) -> sqlx::Result<Option<i64>> {
    const SQL: &str = "SELECT data_version FROM projects WHERE id = $1";
    with_pool!(db.pool(), p => sqlx::query_scalar(SQL).bind(project).fetch_optional(p).await)
}
