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
//! a report of an earlier version that is younger than that is served at once, and its
//! successor is computed in the background (one computation at a time, each report at most
//! every 10 s); older ones, and every report when `max_stale` is zero, are computed before
//! the answer.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use tokio::sync::Semaphore;

use super::{fetch::Scope, project_impact};
use crate::{
    db::Db,
    model::{filters::Filters, impact::ImpactReport},
    with_pool,
};

/// Reports kept at most (a report is tens of kilobytes).
const CAPACITY: usize = 256;

/// Background computations under way at most: one view of the overview can find every
/// project's report stale at once. They queue, leaving the other cores to serve pages.
const REFRESHES_AT_ONCE: usize = 1;

/// A stale report is recomputed in the background at most this often: under steady ingest a
/// busy project's version moves every rollup refresh (2 s), and recomputing on every view
/// would keep a core busy. Reports then lag ingest by at most this plus one computation.
const RECOMPUTE_EVERY: Duration = Duration::from_secs(10);

#[derive(Clone, Debug)]
pub struct ReportCache {
    inner: Arc<Mutex<Entries>>,
    /// How old a report of an earlier data version may be and still be served while the
    /// current one is computed; zero: never served.
    max_stale: Duration,
    recompute_every: Duration,
    refresh_slots: Arc<Semaphore>,
    /// Missing reports being computed, per scope: a second caller (a request beside the
    /// warmer, the overview beside a project page) waits for the first one's report.
    computing: Arc<Mutex<HashMap<Scope, Arc<tokio::sync::Mutex<()>>>>>,
}

/// Always current reports (`max_stale` zero).
impl Default for ReportCache {
    fn default() -> Self {
        ReportCache::new(Duration::ZERO)
    }
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
            recompute_every: RECOMPUTE_EVERY,
            refresh_slots: Arc::new(Semaphore::new(REFRESHES_AT_ONCE)),
            computing: Default::default(),
        }
    }

    /// The same cache recomputing stale reports at most `every` (default 10 s).
    pub fn recomputing_every(self, every: Duration) -> ReportCache {
        ReportCache {
            recompute_every: every,
            ..self
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
                self.compute_missing(db, scope, filters, now_ms, version)
                    .await
            }
        }
    }

    /// Compute and keep a report the cache lacks, once per scope however many ask at once.
    async fn compute_missing(
        &self,
        db: &Db,
        scope: Scope,
        filters: &Filters,
        now_ms: i64,
        version: i64,
    ) -> sqlx::Result<Arc<ImpactReport>> {
        let gate = {
            let mut computing = self.computing.lock().unwrap_or_else(|p| p.into_inner());
            computing.entry(scope.clone()).or_default().clone()
        };
        let turn = gate.lock().await;
        // Whoever went through the gate first may have kept the report this caller needs.
        if let Some(report) = self.current(&scope, version) {
            return Ok(report);
        }
        let read_at = Instant::now();
        let computed = project_impact(db, scope.project, filters, now_ms)
            .await
            .map(Arc::new);
        if let Ok(report) = &computed {
            self.put(scope.clone(), version, read_at, report.clone());
        }
        drop(turn);
        let mut computing = self.computing.lock().unwrap_or_else(|p| p.into_inner());
        if computing.get(&scope).is_some_and(|g| Arc::ptr_eq(g, &gate)) {
            computing.remove(&scope);
        }
        computed
    }

    /// Compute the report of `project` for `filters` when the cache holds none for its scope
    /// (of any version; a stale one is refreshed by the requests that see it). Returns
    /// whether it lacked one (a request may have computed it meanwhile, and this waited).
    pub async fn fill(
        &self,
        db: &Db,
        project: i64,
        filters: &Filters,
        now_ms: i64,
    ) -> sqlx::Result<bool> {
        let scope = Scope::new(project, filters, now_ms);
        let held = {
            let entries = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            entries.by_scope.contains_key(&scope)
        };
        let Some(version) = data_version(db, project).await? else {
            return Ok(false);
        };
        if held {
            return Ok(false);
        }
        self.compute_missing(db, scope, filters, now_ms, version)
            .await?;
        Ok(true)
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
            // Never closed, so acquiring only waits.
            let _slot = cache.refresh_slots.acquire().await;
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
        let age = entry.read_at.elapsed();
        if self.max_stale.is_zero() || age > self.max_stale {
            return Lookup::Missing;
        }
        let refresh = !entry.refreshing && age >= self.recompute_every;
        entry.refreshing |= refresh;
        Lookup::Stale {
            report: entry.report.clone(),
            refresh,
        }
    }

    /// The report held for `scope` at `version` or later, leaving the entry as it is.
    fn current(&self, scope: &Scope, version: i64) -> Option<Arc<ImpactReport>> {
        let entries = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let entry = entries.by_scope.get(scope)?;
        (entry.version >= version).then(|| entry.report.clone())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::impact::{fetch::Facts, report};

    const FIVE_MINUTES: Duration = Duration::from_secs(300);

    fn scope() -> Scope {
        Scope::new(1, &Filters::default(), 0)
    }

    fn empty_report() -> Arc<ImpactReport> {
        Arc::new(report(&Facts::default(), 1.0))
    }

    fn lookup(cache: &ReportCache, version: i64) -> &'static str {
        match cache.lookup(&scope(), version) {
            Lookup::Current(_) => "current",
            Lookup::Stale { refresh: true, .. } => "stale, refresh",
            Lookup::Stale { refresh: false, .. } => "stale",
            Lookup::Missing => "missing",
        }
    }

    #[test]
    fn a_stale_report_is_served_and_recomputed_by_one_caller_at_a_time() {
        let cache = ReportCache::new(FIVE_MINUTES).recomputing_every(Duration::ZERO);
        assert_eq!(lookup(&cache, 1), "missing");
        cache.put(scope(), 1, Instant::now(), empty_report());
        assert_eq!(lookup(&cache, 1), "current");
        assert_eq!(lookup(&cache, 2), "stale, refresh");
        assert_eq!(lookup(&cache, 2), "stale", "one computation at a time");
        cache.refresh_ended(&scope());
        assert_eq!(
            lookup(&cache, 2),
            "stale, refresh",
            "a failed one is tried again"
        );
        cache.put(scope(), 2, Instant::now(), empty_report());
        assert_eq!(lookup(&cache, 2), "current");
    }

    #[test]
    fn a_stale_report_is_recomputed_at_most_every_interval() {
        let cache = ReportCache::new(FIVE_MINUTES);
        cache.put(scope(), 1, Instant::now(), empty_report());
        assert_eq!(lookup(&cache, 2), "stale", "read less than 10 s ago");
        let read_at = Instant::now() - Duration::from_secs(11);
        cache.put(scope(), 1, read_at, empty_report());
        assert_eq!(lookup(&cache, 2), "stale, refresh");
    }

    #[test]
    fn too_old_or_never_stale_reports_are_computed_first() {
        let cache = ReportCache::new(FIVE_MINUTES);
        cache.put(
            scope(),
            1,
            Instant::now() - Duration::from_secs(301),
            empty_report(),
        );
        assert_eq!(lookup(&cache, 2), "missing");
        let strict = ReportCache::default();
        strict.put(scope(), 1, Instant::now(), empty_report());
        assert_eq!(lookup(&strict, 2), "missing");
    }

    #[test]
    fn a_later_version_is_not_replaced_by_an_earlier_one() {
        let cache = ReportCache::new(FIVE_MINUTES);
        let later = empty_report();
        cache.put(scope(), 3, Instant::now(), later.clone());
        cache.put(scope(), 2, Instant::now(), empty_report());
        match cache.lookup(&scope(), 3) {
            Lookup::Current(report) => assert!(Arc::ptr_eq(&report, &later)),
            _ => panic!("version 3 is held"),
        }
    }
}
