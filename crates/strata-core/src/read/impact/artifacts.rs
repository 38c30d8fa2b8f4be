//! Artifact transfer: bytes, time, rates (with the fixed overhead per transfer separated by a
//! least-squares fit of time against size), growth, and each producer's share.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::fetch::{ArtifactRow, JobRow};
use crate::{
    model::impact::{ArtifactImpact, ArtifactProducer, EXAMPLE_JOBS},
    stats::bootstrap::median,
};

const DAY_MS: f64 = 86_400_000.0;

/// Least squares `y = a + b·x`: `(a, b)`, `None` without spread in `x`.
pub fn fit_line(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let n = points.len() as f64;
    if points.len() < 2 {
        return None;
    }
    let (mx, my) = (
        points.iter().map(|p| p.0).sum::<f64>() / n,
        points.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let b = sxy / sxx;
    Some((my - b * mx, b))
}

fn mb_per_s(bytes: f64, ms: f64) -> f64 {
    bytes / 1e6 / (ms / 1_000.0)
}

pub fn artifact_impact(
    jobs: &HashMap<i64, &JobRow>,
    rows: &[ArtifactRow],
    weeks: f64,
) -> ArtifactImpact {
    let ok: Vec<(&ArtifactRow, &JobRow)> = rows
        .iter()
        .filter(|r| r.outcome == "ok")
        .filter_map(|r| Some((r, *jobs.get(&r.job_id)?)))
        .collect();
    let timed: Vec<(f64, f64)> = ok
        .iter()
        .filter_map(|(r, _)| Some((r.size_bytes? as f64, r.duration_ms? as f64)))
        .collect();
    let bytes: f64 = timed.iter().map(|p| p.0).sum();
    let time_ms: f64 = timed.iter().map(|p| p.1).sum();
    let fit = fit_line(&timed).filter(|(_, slope)| *slope > 0.0);
    let job_time: f64 = jobs
        .values()
        .filter_map(|j| j.duration_ms)
        .map(|ms| ms as f64)
        .sum();
    let producers = producers(jobs, &ok, weeks);
    // Growth is read on the largest producer's uploads: mixing archives of different jobs
    // would measure the mix, not the growth.
    let growth = producers.first().and_then(|p| {
        let points: Vec<(f64, f64)> = ok
            .iter()
            .filter(|(r, j)| r.direction == "upload" && j.name == p.job)
            .filter_map(|(r, j)| Some((j.created_at_ms? as f64 / DAY_MS, r.size_bytes? as f64)))
            .collect();
        let (a, b) = fit_line(&points)?;
        let first = points.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
        let last = points.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
        let start = a + b * first;
        Some((b, (start > 0.0).then(|| (a + b * last) / start)))
    });
    ArtifactImpact {
        uploads: ok.iter().filter(|(r, _)| r.direction == "upload").count() as u64,
        downloads: ok.iter().filter(|(r, _)| r.direction == "download").count() as u64,
        bytes,
        time_ms,
        effective_mb_per_s: (time_ms > 0.0).then(|| mb_per_s(bytes, time_ms)),
        rate_mb_per_s: fit.map(|(_, slope)| mb_per_s(1.0, slope)),
        overhead_ms: fit.map(|(a, _)| a),
        share_of_job_time: if job_time > 0.0 {
            time_ms / job_time
        } else {
            0.0
        },
        growth_bytes_per_day: growth.map(|g| g.0),
        growth_ratio: growth.and_then(|g| g.1),
        producers,
    }
}

#[derive(Default)]
struct Acc {
    uploads: u64,
    downloads: u64,
    sizes: Vec<f64>,
    transfer_ms: f64,
    involved: BTreeSet<i64>,
    consumers: BTreeSet<String>,
    examples: Vec<i64>,
}

/// The largest other transfer of the jobs involved: sources (the clone) or cache (restore
/// plus archive). Prepare is left out: it is mostly container start-up, not transfer.
fn largest_other_transfer(jobs: &HashMap<i64, &JobRow>, involved: &BTreeSet<i64>) -> f64 {
    let mut totals = [0.0; 2];
    for j in involved.iter().filter_map(|id| jobs.get(id)) {
        let v = |x: Option<i64>| x.unwrap_or(0) as f64;
        totals[0] += v(j.sources_ms);
        totals[1] += v(j.cache_restore_ms) + v(j.cache_archive_ms);
    }
    totals.into_iter().fold(0.0, f64::max)
}

fn producers(
    jobs: &HashMap<i64, &JobRow>,
    ok: &[(&ArtifactRow, &JobRow)],
    weeks: f64,
) -> Vec<ArtifactProducer> {
    let mut by: BTreeMap<String, Acc> = BTreeMap::new();
    for (r, job) in ok {
        let producer = match r.direction.as_str() {
            "upload" => job.name.clone(),
            "download" => match &r.source_job_name {
                Some(name) => name.clone(),
                None => continue,
            },
            _ => continue,
        };
        let acc = by.entry(producer).or_default();
        acc.transfer_ms += r.duration_ms.unwrap_or(0) as f64;
        acc.involved.insert(job.id);
        if r.direction == "upload" {
            acc.uploads += 1;
            acc.sizes.extend(r.size_bytes.map(|b| b as f64));
            acc.examples.push(job.id);
        } else {
            acc.downloads += 1;
            acc.consumers.insert(job.name.clone());
        }
    }
    let mut out: Vec<ArtifactProducer> = by
        .into_iter()
        .filter(|(_, acc)| acc.uploads > 0)
        .map(|(job, mut acc)| ArtifactProducer {
            other_overhead_ms: largest_other_transfer(jobs, &acc.involved),
            uploads: acc.uploads,
            downloads: acc.downloads,
            median_bytes: median(&mut acc.sizes).unwrap_or(0.0),
            transfer_ms: acc.transfer_ms,
            transfer_per_week_ms: acc.transfer_ms / weeks,
            consumers: acc.consumers.into_iter().collect(),
            examples: acc.examples.into_iter().rev().take(EXAMPLE_JOBS).collect(),
            job,
        })
        .collect();
    out.sort_by(|a, b| b.transfer_ms.total_cmp(&a.transfer_ms));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fit_separates_overhead_from_rate() {
        // 1.5 s + bytes / 40 MB/s, exactly.
        let points: Vec<(f64, f64)> = [50e6, 100e6, 200e6]
            .iter()
            .map(|b| (*b, 1_500.0 + b / 40e6 * 1_000.0))
            .collect();
        let (a, b) = fit_line(&points).unwrap();
        assert!((a - 1_500.0).abs() < 1e-6, "{a}");
        assert!((mb_per_s(1.0, b) - 40.0).abs() < 1e-9);
        // Hand-worked: (0,1), (1,3), (2,5) → y = 1 + 2x.
        assert_eq!(
            fit_line(&[(0.0, 1.0), (1.0, 3.0), (2.0, 5.0)]),
            Some((1.0, 2.0))
        );
        assert_eq!(fit_line(&[(1.0, 1.0), (1.0, 2.0)]), None, "no spread in x");
        assert_eq!(mb_per_s(100e6, 4_000.0), 25.0);
    }
}
