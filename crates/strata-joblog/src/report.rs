//! The human-readable report of `strata analyze-log`: where the job's time went
//! (phases and their share of the job), what the cache and artifact transfers
//! did, and which Docker steps ran or came from the layer cache.

use super::model::{
    ArtifactDirection, ArtifactOp, CacheDirection, CacheOp, DockerBuild, JobAnalysis, Warning,
};
use super::phase::Phase;

/// Renders `analysis` as plain text, one fact per line.
pub fn render_text(analysis: &JobAnalysis) -> String {
    let mut out = String::new();
    summary(&mut out, analysis);
    phases(&mut out, analysis);
    cache(&mut out, &analysis.cache_ops);
    artifacts(&mut out, &analysis.artifact_ops);
    docker(&mut out, &analysis.docker_builds);
    warnings(&mut out, analysis);
    out
}

/// `950 ms`, `12.345 s`, `3m 07s`, `1h 02m`.
pub fn format_duration(ms: i64) -> String {
    let ms = ms.max(0);
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{}.{:03} s", ms / 1000, ms % 1000)
    } else if ms < 3_600_000 {
        format!("{}m {:02}s", ms / 60_000, (ms / 1000) % 60)
    } else {
        format!("{}h {:02}m", ms / 3_600_000, (ms / 60_000) % 60)
    }
}

fn format_optional_duration(ms: Option<i64>) -> String {
    ms.map_or_else(|| "time unknown".to_owned(), format_duration)
}

/// `12.3%` of `whole`, computed in integers.
fn share(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "-".to_owned();
    }
    let per_mille = part.max(0).saturating_mul(1000) / whole;
    format!("{}.{}%", per_mille / 10, per_mille % 10)
}

fn format_bytes(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{}.{} kB", bytes / 1_000, (bytes % 1_000) / 100),
        1_000_000..1_000_000_000 => {
            format!("{}.{} MB", bytes / 1_000_000, (bytes % 1_000_000) / 100_000)
        }
        _ => format!(
            "{}.{} GB",
            bytes / 1_000_000_000,
            (bytes % 1_000_000_000) / 100_000_000
        ),
    }
}

fn summary(out: &mut String, analysis: &JobAnalysis) {
    let log = &analysis.log;
    let timing = if log.timestamped {
        "per-line timestamps"
    } else if log.started_at_ms.is_some() {
        "section markers, 1 s resolution"
    } else {
        "no timing in the log"
    };
    out.push_str(&format!(
        "Job log: {} bytes, {} lines, span {} ({timing})\n",
        log.bytes,
        log.lines,
        format_duration(log.span_ms)
    ));
    if log.truncated {
        out.push_str("The log ends inside an open section: it is truncated.\n");
    }
    let slowest = analysis
        .phase_totals
        .iter()
        .max_by_key(|total| total.duration_ms);
    if let Some(total) = slowest.filter(|total| total.duration_ms > 0) {
        out.push_str(&format!(
            "Most time: {} with {} ({} of the job)\n",
            total.phase.as_str(),
            format_duration(total.duration_ms),
            share(total.duration_ms, log.span_ms)
        ));
    }
}

fn phases(out: &mut String, analysis: &JobAnalysis) {
    if analysis.phases.is_empty() {
        out.push_str("\nNo runner sections found.\n");
        return;
    }
    let span = analysis.log.span_ms;
    out.push_str("\nPhases (top-level sections; nested sections are not counted twice)\n");
    for total in &analysis.phase_totals {
        out.push_str(&format!(
            "  {:<18} {:>12} {:>7}  ({} section{})\n",
            total.phase.as_str(),
            format_duration(total.duration_ms),
            share(total.duration_ms, span),
            total.sections,
            if total.sections == 1 { "" } else { "s" }
        ));
    }
    out.push_str("\nSections\n");
    for section in &analysis.sections {
        let indent = "  ".repeat(usize::try_from(section.depth).unwrap_or(0).min(8));
        let counted = if section.depth == 0 {
            section.phase.as_str()
        } else {
            "(nested)"
        };
        let open = if section.unterminated {
            "  unterminated"
        } else {
            ""
        };
        out.push_str(&format!(
            "  {:>10}  {indent}{:<32} {:>12} {:>7}  {counted}{open}\n",
            format!("+{}", format_duration(section.start_offset_ms)),
            section.name,
            format_duration(section.duration_ms),
            share(section.duration_ms, span),
        ));
    }
    let other: Vec<&str> = analysis
        .phases
        .iter()
        .filter(|span| span.phase == Phase::Other)
        .map(|span| span.section.as_str())
        .collect();
    if !other.is_empty() {
        out.push_str(&format!("  (`other` holds: {})\n", other.join(", ")));
    }
}

fn cache(out: &mut String, ops: &[CacheOp]) {
    if ops.is_empty() {
        return;
    }
    out.push_str("\nCache\n");
    for op in ops {
        let direction = match op.direction {
            CacheDirection::Restore => "restore",
            CacheDirection::Archive => "archive",
        };
        let outcome = op.outcome.map_or("no result".to_owned(), |o| json_name(&o));
        let mut line = format!(
            "  {direction:<8} {outcome:<14} {:>12}  key {:?}",
            format_optional_duration(op.duration_ms),
            op.cache_key.as_deref().unwrap_or("?")
        );
        if !op.fallback_keys.is_empty() {
            line.push_str(&format!(", fallbacks {:?}", op.fallback_keys));
        }
        if let Some(size) = op.size_bytes {
            line.push_str(&format!(", {}", format_bytes(size)));
        }
        if op.up_to_date {
            line.push_str(", up to date");
        }
        out.push_str(&line);
        out.push('\n');
    }
}

fn artifacts(out: &mut String, ops: &[ArtifactOp]) {
    if ops.is_empty() {
        return;
    }
    out.push_str("\nArtifacts\n");
    for op in ops {
        let direction = match op.direction {
            ArtifactDirection::Download => "download",
            ArtifactDirection::Upload => "upload",
        };
        let outcome = op.outcome.map_or("no result".to_owned(), |o| json_name(&o));
        let status = op
            .http_status
            .map_or(String::new(), |code| format!(" {code}"));
        let mut line = format!(
            "  {direction:<8} {:<14} {:>12}",
            format!("{outcome}{status}"),
            format_optional_duration(op.duration_ms)
        );
        if let Some(name) = &op.source_job_name {
            line.push_str(&format!("  from {name:?}"));
        }
        if let Some(id) = op.source_job_id {
            line.push_str(&format!(" (job {id})"));
        }
        if let Some(format) = &op.artifact_format {
            line.push_str(&format!("  as {format:?}"));
        }
        if let Some(count) = op.file_count {
            line.push_str(&format!(", {count} files"));
        }
        if let Some(size) = op.size_bytes {
            line.push_str(&format!(", {}", format_bytes(size)));
        }
        out.push_str(&line);
        out.push('\n');
    }
}

fn docker(out: &mut String, builds: &[DockerBuild]) {
    if builds.is_empty() {
        return;
    }
    out.push_str("\nDocker builds\n");
    for build in builds {
        let verdict = match build.succeeded {
            Some(true) => "succeeded",
            Some(false) => "failed",
            None => "result unknown",
        };
        out.push_str(&format!(
            "  {} (line {}): {} steps, {} cached ({}), {} stage{}, {verdict}, {}\n",
            json_name(&build.builder),
            build.line,
            build.step_count,
            build.cached_steps,
            share(i64::from(build.cached_steps), i64::from(build.step_count)),
            build.stage_count,
            if build.stage_count == 1 { "" } else { "s" },
            format_optional_duration(build.duration_ms)
        ));
        for step in &build.steps {
            let stage = step
                .stage
                .as_deref()
                .map_or(String::new(), |stage| format!("[{stage}] "));
            let position = match (step.step_index, step.step_total) {
                (Some(index), Some(total)) => format!("{index}/{total}"),
                (Some(index), None) => index.to_string(),
                _ => String::new(),
            };
            let flag = if step.failed {
                "FAILED"
            } else if step.cached {
                "cached"
            } else {
                "ran"
            };
            let time = step.duration_ms.map_or(String::new(), format_duration);
            out.push_str(&format!(
                "    {flag:<6} {time:>10}  {stage}{position} {}\n",
                step.instruction
            ));
        }
    }
}

fn warnings(out: &mut String, analysis: &JobAnalysis) {
    let log = &analysis.log;
    if log.warnings.is_empty() {
        return;
    }
    out.push_str(&format!(
        "\nWarnings ({})\n",
        log.warnings.len() as u64 + log.dropped.warnings
    ));
    for Warning { kind, line, detail } in &log.warnings {
        out.push_str(&format!("  line {line}: {}: {detail}\n", json_name(kind)));
    }
    if log.dropped.warnings > 0 {
        out.push_str(&format!("  … and {} more\n", log.dropped.warnings));
    }
}

/// The snake_case name an enum has in the JSON output.
fn json_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_shares() {
        assert_eq!(format_duration(950), "950 ms");
        assert_eq!(format_duration(12_345), "12.345 s");
        assert_eq!(format_duration(187_000), "3m 07s");
        assert_eq!(format_duration(3_720_000), "1h 02m");
        assert_eq!(share(1, 8), "12.5%");
        assert_eq!(share(5, 0), "-");
        assert_eq!(format_bytes(12_340_000), "12.3 MB");
    }
}
