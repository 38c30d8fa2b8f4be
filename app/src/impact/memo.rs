//! Impact reports kept between requests, per project data version.
//!
//! A report reads every job of its window (hundreds of milliseconds at a million jobs), and
//! the overview needs one per project. Every change to a project's jobs or pipelines marks a
//! rollup day dirty, and the refresher bumps `projects.data_version` once it has folded the
//! change in (`strata::store::rollups`), so a report computed at a version stays right until
//! the version moves. Reports lag ingest as the rollups do (one refresh interval), on every
//! replica alike, since the version is read from the database.
//!
//! Under steady ingest the version of a busy project moves every refresh, so a page would
//! compute its reports on nearly every view. With `max_stale` set (`STRATA_IMPACT_MAX_STALE`),
//! a report of an earlier version that is younger than that is served at once while its
//! successor is computed in the background (one computation per report at a time);
//! older ones, and every report when `max_stale` is zero, are computed before the answer.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use super::{fetch::Scope, project_impact};
use crate::{db::Db, model::filters::Filters, model::impact::ImpactReport, with_pool};

/// Reports kept at most (a report is tens of kilobytes).
const CAPACITY: usize = 256;

#[derive(Clone, Debug, Default)]
pub struct ReportCache {
    inner: Arc<Mutex<Entries>>,
    /// How old a report of an earlier data version may be and still be served while the
    /// current one is computed; zero: never served.
    max_stale: Duration,
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
    /// When the report's facts were read.
    read_at: Instant,
    used: u64,
    /// A background computation of the current version is under way.
    refreshing: bool,
}

/// What the cache holds for a scope at a data version.
enum Lookup {
    Current(Arc<ImpactReport>),
    /// An earlier version's report young enough to serve; `refresh` when this caller should
    /// start the background computation (nobody else has).
    Stale {
        report: Arc<ImpactReport>,
        refresh: bool,
    },
    Missing,
}

impl ReportCache {
    /// A cache that serves reports of an earlier data version up to `max_stale` old while it
    /// computes the current one (zero: always compute the current one first).
    pub fn new(max_stale: Duration) -> ReportCache {
        ReportCache {
            inner: Default::default(),
            max_stale,
        }
    }

    /// [`project_impact`], reused while the project's data version stays the same (or, for
    /// up to `max_stale`, while its successor is being computed).
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
        match self.lookup(&scope, version) {
            Lookup::Current(report) => Ok(report),
            Lookup::Stale { report, refresh } => {
                if refresh {
                    self.refresh_in_background(db.clone(), scope, filters.clone(), now_ms, version);
                }
                Ok(report)
            }
            Lookup::Missing => {
                let read_at = Instant::now();
                let report = Arc::new(project_impact(db, project, filters, now_ms).await?);
                self.put(scope, version, read_at, report.clone());
                Ok(report)
            }
        }
    }

    fn refresh_in_background(
        &self,
        db: Db,
        scope: Scope,
        filters: Filters,
        now_ms: i64,
        version: i64,
    ) {
        let cache = self.clone();
        tokio::spawn(async move {
            let read_at = Instant::now();
            match project_impact(&db, scope.project, &filters, now_ms).await {
                Ok(report) => cache.put(scope, version, read_at, Arc::new(report)),
                Err(error) => {
                    // The next request tries again (or, once the report is too old, computes
                    // it itself and reports the error).
                    tracing::warn!(project = scope.project, %error, "impact report refresh failed");
                    cache.refresh_ended(&scope);
                }
            }
        });
    }

    fn lookup(&self, scope: &Scope, version: i64) -> Lookup {
        let mut entries = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        entries.clock += 1;
        let now = entries.clock;
        let Some(entry) = entries.by_scope.get_mut(scope) else {
            return Lookup::Missing;
        };
        entry.used = now;
        if entry.version >= version {
            return Lookup::Current(entry.report.clone());
        }
        if self.max_stale.is_zero() || entry.read_at.elapsed() > self.max_stale {
            return Lookup::Missing;
        }
        let refresh = !entry.refreshing;
        entry.refreshing = true;
        Lookup::Stale {
            report: entry.report.clone(),
            refresh,
        }
    }

    fn refresh_ended(&self, scope: &Scope) {
        let mut entries = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = entries.by_scope.get_mut(scope) {
            entry.refreshing = false;
        }
    }

    fn put(&self, scope: Scope, version: i64, read_at: Instant, report: Arc<ImpactReport>) {
        let mut entries = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(held) = entries.by_scope.get(&scope)
            && held.version > version
        {
            // A request computed a later version while this one was under way.
            return;
        }
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
                read_at,
                used,
                refreshing: false,
            },
        );
    }
}

/// The project's data version; `None` when there is no such project.
async fn data_version(db: &Db, project: i64) -> sqlx::Result<Option<i64>> {
    const SQL: &str = "SELECT data_version FROM projects WHERE id = $1";
    with_pool!(db.pool(), p => sqlx::query_scalar(SQL).bind(project).fetch_optional(p).await)
}
