//! Two periods or two branches side by side (medians with intervals, Mann–Whitney), and the
//! days where a job's phase mix changed, offered as comparison boundaries.

use std::collections::BTreeMap;

use super::{
    fetch::{self, JobRow, Scope},
    interval,
    phases::phase_ms,
};
use crate::{
    bind_args,
    db::Db,
    model::{
        impact::{ComparisonRow, MixChange},
        phase::PhaseKind,
        phase_durations::PhaseDurations,
    },
    read::sql::{Arg, Conditions},
    stats::{
        bootstrap::{median_ci, median_difference_ci},
        compare::mann_whitney,
    },
    with_pool,
};

/// Differences are called significant below this p-value.
pub const ALPHA: f64 = 0.05;

/// Pipeline durations of a scope (ms).
async fn pipeline_durations(db: &Db, scope: &Scope) -> sqlx::Result<Vec<f64>> {
    let mut c = Conditions::default();
    c.push("p.project_id = ?", Arg::Int(scope.project));
    c.push("p.created_at_ms >= ?", Arg::Int(scope.bounds_ms.0));
    c.push("p.created_at_ms < ?", Arg::Int(scope.bounds_ms.1));
    for (column, value) in [
        ("p.git_ref = ?", &scope.git_ref),
        ("p.source = ?", &scope.source),
        ("p.status = ?", &scope.status),
    ] {
        if let Some(value) = value {
            c.push(column, Arg::Text(value.clone()));
        }
    }
    let sql = format!(
        "SELECT p.duration_ms FROM pipelines p {} AND p.duration_ms IS NOT NULL",
        c.where_sql()
    );
    let rows: Vec<(i64,)> =
        with_pool!(db.pool(), p => bind_args!(sqlx::query_as(&sql), &c.args).fetch_all(p).await)?;
    Ok(rows.into_iter().map(|r| r.0 as f64).collect())
}

/// Compare two scopes: pipeline durations, then each phase of job time.
pub async fn compare(db: &Db, a: &Scope, b: &Scope) -> sqlx::Result<Vec<ComparisonRow>> {
    let (pa, pb) = (
        pipeline_durations(db, a).await?,
        pipeline_durations(db, b).await?,
    );
    let (ja, jb) = (fetch::jobs(db, a).await?, fetch::jobs(db, b).await?);
    let mut rows = vec![row("Pipeline duration", &pa, &pb)];
    for phase in PhaseKind::ALL {
        let (va, vb) = (phase_values(&ja, phase), phase_values(&jb, phase));
        if va.iter().chain(&vb).any(|v| *v > 0.0) {
            rows.push(row(phase.label(), &va, &vb));
        }
    }
    Ok(rows)
}

/// A phase's time per analysed job (zero included: a phase appearing is a change too).
fn phase_values(jobs: &[JobRow], phase: PhaseKind) -> Vec<f64> {
    jobs.iter()
        .filter(|j| phase == PhaseKind::Queue || j.analysed.is_some())
        .filter_map(|j| phase_ms(j, phase))
        .map(|v| v as f64)
        .collect()
}

pub fn row(label: &str, a: &[f64], b: &[f64]) -> ComparisonRow {
    let test = mann_whitney(a, b);
    ComparisonRow {
        label: label.to_owned(),
        a_count: a.len() as u64,
        b_count: b.len() as u64,
        a_median: median_ci(a).map(interval),
        b_median: median_ci(b).map(interval),
        difference: median_difference_ci(a, b).map(interval),
        p_value: test.map(|t| t.p_value),
        significant: test.is_some_and(|t| t.p_value < ALPHA),
    }
}

/// The phases a day's job time is split into for the mix (queue is not the job's doing).
const MIX: [PhaseKind; 10] = PhaseDurations::PHASES;

/// Days with runs compared on each side of a candidate boundary.
const MIX_DAYS: usize = 5;
/// A shift of at least this much (half the L1 distance of the shares) is a change.
const MIN_SHIFT: f64 = 0.2;

/// Per job name, per day: phase times from the daily rollups.
pub async fn daily_mix(
    db: &Db,
    project: i64,
    days: (i64, i64),
) -> sqlx::Result<BTreeMap<String, Vec<(i64, [f64; 10])>>> {
    let sums: Vec<String> = MIX
        .iter()
        .map(|p| format!("CAST(SUM(d.{}_ms) AS BIGINT)", p.key()))
        .collect();
    let sql = format!(
        "SELECT d.job_name, d.day, {} FROM job_daily d WHERE d.project_id = $1 AND d.day >= $2 \
         AND d.day <= $3 AND d.analysed_runs > 0 GROUP BY d.job_name, d.day ORDER BY d.job_name, d.day",
        sums.join(", ")
    );
    type Row = (
        String,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
    );
    let rows: Vec<Row> = with_pool!(db.pool(), p => sqlx::query_as(&sql)
        .bind(project).bind(days.0).bind(days.1).fetch_all(p).await)?;
    let mut out: BTreeMap<String, Vec<(i64, [f64; 10])>> = BTreeMap::new();
    for r in rows {
        let v = [r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10, r.11].map(|x| x as f64);
        out.entry(r.0).or_default().push((r.1, v));
    }
    Ok(out)
}

fn shares(days: &[(i64, [f64; 10])]) -> [f64; 10] {
    let mut sum = [0.0; 10];
    for (_, v) in days {
        for (s, x) in sum.iter_mut().zip(v) {
            *s += x;
        }
    }
    let total: f64 = sum.iter().sum();
    if total > 0.0 {
        sum.iter_mut().for_each(|s| *s /= total);
    }
    sum
}

/// Days where the phase mix of a job changed: the mix of the [`MIX_DAYS`] days with runs
/// before a day against the mix from that day on; the strongest boundary per job when its
/// shift reaches [`MIN_SHIFT`].
pub fn mix_changes(series: &BTreeMap<String, Vec<(i64, [f64; 10])>>) -> Vec<MixChange> {
    let mut out = Vec::new();
    for (job, days) in series {
        let mut best: Option<MixChange> = None;
        for i in MIX_DAYS..=days.len().saturating_sub(MIX_DAYS) {
            let (before, after) = (
                shares(&days[i - MIX_DAYS..i]),
                shares(&days[i..i + MIX_DAYS]),
            );
            let diffs: Vec<f64> = after.iter().zip(&before).map(|(a, b)| a - b).collect();
            let shift = diffs.iter().map(|d| d.abs()).sum::<f64>() / 2.0;
            if shift < MIN_SHIFT || best.as_ref().is_some_and(|b| b.shift >= shift) {
                continue;
            }
            let arg = |better: fn(f64, f64) -> bool| {
                (0..10).fold(0, |k, i| if better(diffs[i], diffs[k]) { i } else { k })
            };
            best = Some(MixChange {
                job: job.clone(),
                day: days[i].0,
                shift,
                gained: MIX[arg(|x, y| x > y)],
                lost: MIX[arg(|x, y| x < y)],
            });
        }
        out.extend(best);
    }
    out.sort_by(|a, b| b.shift.total_cmp(&a.shift));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: i64, cache_restore: f64, artifact_download: f64, script: f64) -> (i64, [f64; 10]) {
        let mut v = [0.0; 10];
        v[2] = cache_restore;
        v[3] = artifact_download;
        v[4] = script;
        (d, v)
    }

    #[test]
    fn an_artifact_phase_replacing_cache_time_is_found_on_its_first_day() {
        // Days 0–9: 30 % cache restore, 70 % script. From day 10: 30 % artifact download.
        let mut days: Vec<_> = (0..10).map(|d| day(d, 30.0, 0.0, 70.0)).collect();
        days.extend((10..20).map(|d| day(d, 0.0, 30.0, 70.0)));
        let series = BTreeMap::from([("build".to_owned(), days)]);
        let changes = mix_changes(&series);
        assert_eq!(changes.len(), 1);
        let c = &changes[0];
        assert_eq!(
            (c.day, c.gained, c.lost),
            (10, PhaseKind::ArtifactDownload, PhaseKind::CacheRestore)
        );
        assert!((c.shift - 0.3).abs() < 1e-12, "{}", c.shift);
    }

    #[test]
    fn a_steady_mix_has_no_boundary() {
        let days: Vec<_> = (0..20)
            .map(|d| day(d, 20.0 + (d % 3) as f64, 0.0, 80.0))
            .collect();
        assert!(mix_changes(&BTreeMap::from([("build".to_owned(), days)])).is_empty());
    }

    #[test]
    fn rows_report_medians_differences_and_significance() {
        // Hand-worked: medians (lower middle) 3 and 13, so b − a = 10; every b exceeds
        // every a (U_a = 0), which is significant at n = 5 + 5 (p ≈ 0.012).
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        let b = [11.0, 12.0, 13.0, 14.0, 15.0];
        let r = row("x", &a, &b);
        assert_eq!(r.a_median.unwrap().value, 3.0);
        assert_eq!(r.b_median.unwrap().value, 13.0);
        assert_eq!(r.difference.unwrap().value, 10.0);
        assert!(
            r.significant && (r.p_value.unwrap() - 0.0119).abs() < 1e-3,
            "{:?}",
            r.p_value
        );
        let same = row("y", &a, &a);
        assert!(!same.significant);
    }
}
