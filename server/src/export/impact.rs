//! The `impact` CSV: the project page's Impact section — time per phase, cache keys, the
//! effect of a cache hit per job, artifact transfer, Docker layer caching and the findings —
//! as one long table a spreadsheet can pivot: a row per project, section, subject and
//! measure, with the value, its unit, its 95 % interval where there is one, and the jobs
//! that show it.
//!
//! The report is computed per project exactly as the page computes it (same window, job
//! name, ref, source and status), so the file and the page agree number for number. Reports are small (tens
//! to hundreds of rows per project), so each is built in memory and then streamed out.

use strata_core::{
    db::Db,
    model::impact::{ImpactReport, Interval},
    read::{impact::project_impact, projects},
};

use super::{ExportError, Scope, sink::CsvSink};

pub const HEADER: [&str; 14] = [
    "project_id",
    "project_path",
    "from",
    "to",
    "section",
    "subject",
    "detail",
    "measure",
    "value",
    "unit",
    "ci_low",
    "ci_high",
    "jobs",
    "example_job_ids",
];

/// One measure. `jobs` counts the jobs it was computed from, where that is meaningful.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Measure {
    pub section: &'static str,
    pub subject: String,
    pub detail: String,
    pub measure: &'static str,
    pub value: Option<f64>,
    pub unit: &'static str,
    pub interval: Option<(f64, f64)>,
    pub jobs: Option<u64>,
    pub examples: Vec<i64>,
}

/// Builds the measures of one section and subject.
struct Rows<'a> {
    out: &'a mut Vec<Measure>,
    section: &'static str,
    subject: String,
    detail: String,
}

impl Rows<'_> {
    fn put(&mut self, measure: &'static str, value: Option<f64>, unit: &'static str) {
        self.out.push(Measure {
            section: self.section,
            subject: self.subject.clone(),
            detail: self.detail.clone(),
            measure,
            value,
            unit,
            ..Measure::default()
        });
    }

    fn count(&mut self, measure: &'static str, value: u64) {
        self.put(measure, Some(value as f64), "count");
    }

    fn interval(&mut self, measure: &'static str, value: Option<Interval>, unit: &'static str) {
        self.put(measure, value.map(|i| i.value), unit);
        if let (Some(i), Some(last)) = (value, self.out.last_mut()) {
            last.interval = Some((i.low, i.high));
        }
    }

    /// The jobs behind the subject, on its last measure (the one that sums it up).
    fn evidence(&mut self, jobs: Option<u64>, examples: Vec<i64>) {
        if let Some(last) = self.out.last_mut() {
            last.examples = examples;
            last.jobs = jobs;
        }
    }
}

fn rows<'a>(
    out: &'a mut Vec<Measure>,
    section: &'static str,
    subject: impl Into<String>,
    detail: impl Into<String>,
) -> Rows<'a> {
    Rows {
        out,
        section,
        subject: subject.into(),
        detail: detail.into(),
    }
}

/// Every measure of a report, in the order the page shows them.
pub fn measures(report: &ImpactReport) -> Vec<Measure> {
    let mut out = Vec::new();
    let mut r = rows(&mut out, "summary", "", "");
    r.put("weeks", Some(report.weeks), "weeks");
    r.count("jobs", report.jobs);
    r.count("analysed_jobs", report.analysed_jobs);

    for p in &report.phases {
        let mut r = rows(&mut out, "phase", p.phase.key(), "");
        r.put("total", Some(p.total_ms), "ms");
        r.put("per_week", Some(p.hours_per_week), "h/week");
        r.put("median", p.median_ms, "ms");
        r.put("share_of_job_time", Some(p.share), "ratio");
        r.evidence(Some(p.jobs), Vec::new());
    }

    for c in &report.caches {
        let detail = format!(
            "written by {}; read by {}",
            list(&c.writers),
            list(&c.readers)
        );
        let mut r = rows(&mut out, "cache_key", &c.pattern, detail);
        r.count("distinct_keys", c.distinct_keys);
        r.count("pipelines", c.pipelines);
        r.count("restores", c.restores);
        r.count("hits", c.hits);
        r.count("misses", c.misses);
        r.put("hit_rate", c.hit_rate, "ratio");
        r.count("archives", c.archives);
        r.put("restore_time", Some(c.restore_ms), "ms");
        r.put("archive_time", Some(c.archive_ms), "ms");
        r.put("cost_per_week", Some(c.cost_per_week_ms), "ms/week");
        for j in &c.jobs {
            let mut r = rows(&mut out, "cache_effect", &c.pattern, &j.job);
            r.count("hits", j.hits);
            r.count("misses", j.misses);
            r.put("median_on_hit", j.hit_median_ms, "ms");
            r.put("median_on_miss", j.miss_median_ms, "ms");
            r.interval("miss_penalty", j.miss_penalty, "ms");
            r.put("saved_per_week", j.saved_per_week_ms, "ms/week");
            let examples = j.hit_examples.iter().chain(&j.miss_examples).copied();
            r.evidence(Some(j.hits + j.misses), examples.collect());
        }
    }

    let a = &report.artifacts;
    let mut r = rows(&mut out, "artifacts", "", "");
    r.count("uploads", a.uploads);
    r.count("downloads", a.downloads);
    r.put("bytes", Some(a.bytes), "bytes");
    r.put("transfer_time", Some(a.time_ms), "ms");
    r.put("effective_rate", a.effective_mb_per_s, "MB/s");
    r.put("rate_without_overhead", a.rate_mb_per_s, "MB/s");
    r.put("overhead_per_transfer", a.overhead_ms, "ms");
    r.put("share_of_job_time", Some(a.share_of_job_time), "ratio");
    r.put("growth", a.growth_bytes_per_day, "bytes/day");
    r.put("growth_ratio", a.growth_ratio, "ratio");
    for p in &a.producers {
        let detail = format!("downloaded by {}", list(&p.consumers));
        let mut r = rows(&mut out, "artifact_producer", &p.job, detail);
        r.count("uploads", p.uploads);
        r.count("downloads", p.downloads);
        r.put("median_size", Some(p.median_bytes), "bytes");
        r.put("other_transfer_overhead", Some(p.other_overhead_ms), "ms");
        r.put("transfer_time", Some(p.transfer_ms), "ms");
        r.put("transfer_per_week", Some(p.transfer_per_week_ms), "ms/week");
        r.evidence(Some(p.uploads + p.downloads), p.examples.clone());
    }

    for l in &report.layers {
        let how = if l.cold_cost_observed {
            "cold cost observed (cold minus warm medians)"
        } else {
            "cold cost estimated from the steps a layer cache could serve"
        };
        let mut r = rows(&mut out, "docker_layers", &l.job, how);
        r.count("builds", l.builds);
        r.count("steps", l.steps);
        r.count("cached_steps", l.cached_steps);
        r.put("cached_share", Some(l.cached_share), "ratio");
        r.count("warm_builds", l.warm_builds);
        r.count("cold_builds", l.cold_builds);
        r.interval("median_warm_build", l.warm_median_ms, "ms");
        r.interval("median_cold_build", l.cold_median_ms, "ms");
        r.interval("cold_cost", l.cold_cost, "ms");
        r.put(
            "warm_cache_would_save_per_week",
            Some(l.warm_saving_per_week_ms),
            "ms/week",
        );
        let examples = l.cold_examples.iter().chain(&l.warm_examples).copied();
        r.evidence(Some(l.builds), examples.collect());
        for s in &l.missing_steps {
            let mut r = rows(&mut out, "docker_step", &l.job, &s.instruction);
            r.count("runs", s.runs);
            r.count("misses", s.misses);
            r.put("median", s.median_ms, "ms");
        }
    }

    for f in &report.findings {
        let mut r = rows(
            &mut out,
            "finding",
            f.kind.slug(),
            format!("{} — {}", f.title, f.detail),
        );
        r.put(
            "time_at_stake_per_week",
            Some(f.time_per_week_ms),
            "ms/week",
        );
        r.evidence(None, f.examples.clone());
    }
    out
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "no job".to_owned()
    } else {
        names.join(", ")
    }
}

/// Write the header and every measure of each project in scope (one, or all by id).
#[tracing::instrument(skip_all, fields(project = ?scope.filters.project))]
pub async fn write(
    db: &Db,
    scope: &Scope,
    now_ms: i64,
    sink: &mut CsvSink,
) -> Result<(), ExportError> {
    sink.out.header(HEADER)?;
    let (from, to) = scope.filters.window.days(now_ms);
    for (id, path) in projects::paths(db, scope.filters.project).await? {
        let report = project_impact(db, id, &scope.filters, now_ms).await?;
        for m in measures(&report) {
            let out = &mut sink.out;
            out.int(Some(id))?;
            out.text(Some(&path))?;
            out.day(from)?;
            out.day(to)?;
            out.text(Some(m.section))?;
            out.text(Some(&m.subject))?;
            out.text(Some(&m.detail))?;
            out.text(Some(m.measure))?;
            out.float(m.value)?;
            out.text(Some(m.unit))?;
            out.float(m.interval.map(|i| i.0))?;
            out.float(m.interval.map(|i| i.1))?;
            out.int(m.jobs.map(|n| n as i64))?;
            let ids: Vec<String> = m.examples.iter().map(i64::to_string).collect();
            out.text(Some(&ids.join(" ")))?;
            sink.end_row().await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use strata_core::model::{
        impact::{ArtifactImpact, CacheImpact, CacheJobEffect, FindingKind, ImpactFinding},
        phase::PhaseKind,
    };

    use super::*;

    fn report() -> ImpactReport {
        ImpactReport {
            weeks: 2.0,
            jobs: 10,
            analysed_jobs: 8,
            phases: vec![strata_core::model::impact::PhaseTime {
                phase: PhaseKind::CacheRestore,
                total_ms: 7_200_000.0,
                hours_per_week: 1.0,
                median_ms: Some(30_000.0),
                jobs: 8,
                share: 0.25,
            }],
            caches: vec![CacheImpact {
                pattern: "dist-{sha}".into(),
                distinct_keys: 5,
                pipelines: 5,
                restores: 5,
                hits: 1,
                misses: 4,
                hit_rate: Some(0.2),
                archives: 5,
                restore_ms: 1_000.0,
                archive_ms: 2_000.0,
                cost_per_week_ms: 1_500.0,
                writers: vec!["build".into()],
                readers: vec!["image".into(), "test".into()],
                jobs: vec![CacheJobEffect {
                    job: "image".into(),
                    hits: 1,
                    misses: 4,
                    hit_median_ms: Some(60_000.0),
                    miss_median_ms: Some(210_000.0),
                    miss_penalty: Some(Interval {
                        value: 150_000.0,
                        low: 140_000.0,
                        high: 160_000.0,
                    }),
                    saved_per_week_ms: Some(75_000.0),
                    hit_examples: vec![7],
                    miss_examples: vec![8, 9],
                }],
            }],
            artifacts: ArtifactImpact::default(),
            layers: vec![],
            findings: vec![ImpactFinding {
                kind: FindingKind::QueueDominatesRunTime { tags: vec![] },
                title: "Queue".into(),
                detail: "waits".into(),
                time_per_week_ms: 9.0,
                examples: vec![3],
            }],
        }
    }

    #[test]
    fn every_number_of_the_report_becomes_a_measure_with_its_unit() {
        let m = measures(&report());
        let find = |section: &str, measure: &str| {
            m.iter()
                .find(|x| x.section == section && x.measure == measure)
                .unwrap_or_else(|| panic!("no {section}/{measure}"))
        };
        assert_eq!(find("summary", "analysed_jobs").value, Some(8.0));
        let share = find("phase", "share_of_job_time");
        assert_eq!(
            (share.subject.as_str(), share.value),
            ("cache_restore", Some(0.25))
        );
        assert_eq!(share.jobs, Some(8));
        let penalty = find("cache_effect", "miss_penalty");
        assert_eq!(penalty.subject, "dist-{sha}");
        assert_eq!(penalty.detail, "image");
        assert_eq!(penalty.value, Some(150_000.0));
        assert_eq!(penalty.interval, Some((140_000.0, 160_000.0)));
        let saved = find("cache_effect", "saved_per_week");
        assert_eq!((saved.unit, saved.jobs), ("ms/week", Some(5)));
        assert_eq!(saved.examples, vec![7, 8, 9]);
        assert_eq!(
            find("cache_key", "hit_rate").detail,
            "written by build; read by image, test"
        );
        let finding = find("finding", "time_at_stake_per_week");
        assert_eq!(finding.subject, "queue_dominates_run_time");
        assert_eq!(finding.detail, "Queue — waits");
        assert_eq!(finding.examples, vec![3]);
        // The artifact section is always there, empty values staying empty.
        assert_eq!(find("artifacts", "effective_rate").value, None);
        assert_eq!(find("artifacts", "uploads").value, Some(0.0));
    }
}
