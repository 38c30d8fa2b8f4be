//! What a sync has done so far: counters shared by the sync and the trace worker, progress
//! bars on a terminal (nothing when stderr is not one), and the summary printed at the end.

use std::{
    fmt,
    io::IsTerminal,
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, Instant},
};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Running totals. Relaxed atomics: they are read for display, never to synchronise.
#[derive(Debug, Default)]
pub struct SyncCounts {
    pub projects: AtomicU64,
    pub projects_failed: AtomicU64,
    pub pipelines_new: AtomicU64,
    pub pipelines_updated: AtomicU64,
    pub pipelines_unchanged: AtomicU64,
    /// Listed, then deleted in GitLab before their details were read.
    pub pipelines_gone: AtomicU64,
    /// Jobs read from GitLab.
    pub jobs: AtomicU64,
    /// Of those, the ones new or changed in the store.
    pub jobs_written: AtomicU64,
    /// Finished jobs whose log entered the trace queue.
    pub logs_queued: AtomicU64,
    pub logs_analysed: AtomicU64,
    pub logs_unavailable: AtomicU64,
    pub logs_failed: AtomicU64,
    pub logs_retry_later: AtomicU64,
}

fn get(counter: &AtomicU64) -> u64 {
    counter.load(Ordering::Relaxed)
}

pub fn add(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
}

/// Counters plus, on a terminal, two bars: pipelines and logs.
pub struct Progress {
    counts: SyncCounts,
    started: Instant,
    _multi: MultiProgress,
    pipelines: ProgressBar,
    logs: ProgressBar,
}

impl Progress {
    /// Bars when stderr is a terminal, silent otherwise (logs, CI, pipes).
    pub fn for_stderr() -> Progress {
        Progress::new(std::io::stderr().is_terminal())
    }

    pub fn hidden() -> Progress {
        Progress::new(false)
    }

    fn new(visible: bool) -> Progress {
        let target = if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let multi = MultiProgress::with_draw_target(target);
        let pipelines = multi.add(bar(
            "{spinner} pipelines [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} ({per_sec}, ETA {eta}) {msg}",
        ));
        let logs = multi.add(bar(
            "{spinner} job logs  [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} ({per_sec}, ETA {eta})",
        ));
        if visible {
            pipelines.enable_steady_tick(Duration::from_millis(200));
        }
        Progress {
            counts: SyncCounts::default(),
            started: Instant::now(),
            _multi: multi,
            pipelines,
            logs,
        }
    }

    pub fn counts(&self) -> &SyncCounts {
        &self.counts
    }

    /// A project starts: say which, and how many are left.
    pub fn project_started(&self, index: usize, total: usize, project: &str) {
        self.pipelines
            .set_message(format!("project {}/{total} {project}", index + 1));
    }

    /// GitLab said how many pipelines a list holds (it does up to 10,000): size the bar.
    pub fn expect_pipelines(&self, n: u64) {
        self.pipelines.inc_length(n);
    }

    /// A page longer than the hint (or with none) grows the bar as it goes.
    pub fn pipelines_listed(&self, n: u64) {
        let listed = self.pipelines.position() + n;
        if self.pipelines.length().is_none_or(|len| len < listed) {
            self.pipelines.set_length(listed);
        }
    }

    pub fn pipeline_done(&self) {
        self.pipelines.inc(1);
    }

    /// `n` more logs entered the queue.
    pub fn logs_queued(&self, n: u64) {
        add(&self.counts.logs_queued, n);
        self.logs.inc_length(n);
    }

    pub fn log_done(&self) {
        self.logs.inc(1);
    }

    /// Clear the bars (the summary takes their place).
    pub fn finish(&self) {
        self.pipelines.finish_and_clear();
        self.logs.finish_and_clear();
    }

    /// Totals so far, with the client's request counts.
    pub fn summary(&self, requests: u64, retries: u64) -> Summary {
        let c = &self.counts;
        Summary {
            elapsed: self.started.elapsed(),
            projects: get(&c.projects),
            projects_failed: get(&c.projects_failed),
            pipelines_new: get(&c.pipelines_new),
            pipelines_updated: get(&c.pipelines_updated),
            pipelines_unchanged: get(&c.pipelines_unchanged),
            pipelines_gone: get(&c.pipelines_gone),
            jobs: get(&c.jobs),
            jobs_written: get(&c.jobs_written),
            logs_queued: get(&c.logs_queued),
            logs_analysed: get(&c.logs_analysed),
            logs_unavailable: get(&c.logs_unavailable),
            logs_failed: get(&c.logs_failed),
            logs_retry_later: get(&c.logs_retry_later),
            requests,
            retries,
        }
    }
}

fn bar(template: &str) -> ProgressBar {
    let bar = ProgressBar::no_length();
    bar.set_style(
        ProgressStyle::with_template(template)
            .expect("the template is valid")
            .progress_chars("=> "),
    );
    bar
}

/// What a sync did, for the end of `strata sync` and the background sync's log line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub elapsed: Duration,
    pub projects: u64,
    pub projects_failed: u64,
    pub pipelines_new: u64,
    pub pipelines_updated: u64,
    pub pipelines_unchanged: u64,
    pub pipelines_gone: u64,
    pub jobs: u64,
    pub jobs_written: u64,
    pub logs_queued: u64,
    pub logs_analysed: u64,
    pub logs_unavailable: u64,
    pub logs_failed: u64,
    pub logs_retry_later: u64,
    pub requests: u64,
    pub retries: u64,
}

impl Summary {
    /// GitLab requests per job read: the figure to keep low (every pipeline costs at least a
    /// details and a jobs request, every log one more).
    pub fn requests_per_job(&self) -> f64 {
        if self.jobs == 0 {
            0.0
        } else {
            self.requests as f64 / self.jobs as f64
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "sync finished in {:.1} s", self.elapsed.as_secs_f64())?;
        writeln!(
            f,
            "  projects   {} ({} failed)",
            self.projects, self.projects_failed
        )?;
        writeln!(
            f,
            "  pipelines  {} new, {} updated, {} unchanged, {} gone",
            self.pipelines_new,
            self.pipelines_updated,
            self.pipelines_unchanged,
            self.pipelines_gone
        )?;
        writeln!(
            f,
            "  jobs       {} read, {} new or changed",
            self.jobs, self.jobs_written
        )?;
        writeln!(
            f,
            "  logs       {} queued, {} analysed, {} unavailable, {} failed, {} left for later",
            self.logs_queued,
            self.logs_analysed,
            self.logs_unavailable,
            self.logs_failed,
            self.logs_retry_later
        )?;
        write!(
            f,
            "  requests   {} to GitLab ({} retries), {:.2} per job",
            self.requests,
            self.retries,
            self.requests_per_job()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_reads_as_a_report() {
        let progress = Progress::hidden();
        add(&progress.counts().pipelines_new, 3);
        add(&progress.counts().jobs, 24);
        add(&progress.counts().projects, 1);
        let summary = progress.summary(30, 2);
        let text = summary.to_string();
        assert!(text.contains("pipelines  3 new, 0 updated"), "{text}");
        assert!(
            text.contains("30 to GitLab (2 retries), 1.25 per job"),
            "{text}"
        );
        assert_eq!(Summary::default().requests_per_job(), 0.0);
    }
}
