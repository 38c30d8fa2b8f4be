//! Runner logs generated from a job's parameters, byte for byte in the runner's format:
//! `section_start:<unix>:<name>\r\e[0K` markers, ANSI colours, and with `FF_TIMESTAMPS` a
//! `2026-01-21T09:47:05.094219Z 00O ` prefix on every line (stream `00` is the runner, `01`
//! the job's script; `O` stdout, `E` stderr; `+` continues an entry after a `\r`). Every
//! line's time comes from the job's phases, so the sections agree with the API's
//! `started_at`, `finished_at` and `duration`.
//!
//! Logs are never stored: the fake GitLab renders one when it is asked for.

mod docker;
mod frame;
mod transfers;

use std::io::Write;

use chrono::{DateTime, Datelike, Timelike};

use crate::scenario::{
    ProjectSpec,
    model::{Job, Pipeline, SECOND},
};

/// The log of `job` as GitLab would serve it at `now_us`: complete once the job finished,
/// cut at `now_us` while it runs, empty before it started.
pub fn render(project: &ProjectSpec, pipeline: &Pipeline, job: &Job, now_us: i64) -> Vec<u8> {
    let mut trace = Trace::new(project.ff_timestamps, now_us);
    frame::write_job(&mut trace, project, pipeline, job);
    trace.out
}

/// Which stream a line belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stream {
    /// The runner itself (`00O`).
    Runner,
    /// The job's stdout (`01O`).
    Out,
    /// The job's stderr (`01E`).
    Err,
}

impl Stream {
    fn tag(self) -> &'static [u8; 3] {
        match self {
            Stream::Runner => b"00O",
            Stream::Out => b"01O",
            Stream::Err => b"01E",
        }
    }
}

/// A log being written in time order.
pub(crate) struct Trace {
    out: Vec<u8>,
    timestamps: bool,
    cutoff_us: i64,
    stopped: bool,
    /// The runner stream's last write ended in `\r`: its next entry continues it (`+`).
    runner_continues: bool,
    stamp: Stamp,
}

impl Trace {
    fn new(timestamps: bool, cutoff_us: i64) -> Trace {
        Trace {
            out: Vec::with_capacity(16 * 1024),
            timestamps,
            cutoff_us,
            stopped: false,
            runner_continues: false,
            stamp: Stamp::default(),
        }
    }

    /// False once the cut-off has passed: nothing more is written.
    fn open_at(&mut self, at_us: i64) -> bool {
        if at_us > self.cutoff_us {
            self.stopped = true;
        }
        !self.stopped
    }

    fn prefix(&mut self, at_us: i64, stream: Stream, continues: bool) {
        if self.timestamps {
            self.stamp.write(&mut self.out, at_us);
            self.out.extend_from_slice(stream.tag());
            self.out.push(if continues { b'+' } else { b' ' });
        }
    }

    /// One line of output.
    pub(crate) fn line(&mut self, at_us: i64, stream: Stream, text: &str) {
        self.line_fmt(at_us, stream, format_args!("{text}"));
    }

    pub(crate) fn line_fmt(&mut self, at_us: i64, stream: Stream, text: std::fmt::Arguments<'_>) {
        if !self.open_at(at_us) {
            return;
        }
        let continues = stream == Stream::Runner && self.runner_continues;
        self.prefix(at_us, stream, continues);
        if stream == Stream::Runner {
            self.runner_continues = false;
        }
        let _ = self.out.write_fmt(text);
        self.out.push(b'\n');
    }

    /// A section marker: `section_start`/`section_end` at the second `at_us` falls in.
    fn marker(&mut self, at_us: i64, kind: &str, name: &str) {
        if !self.open_at(at_us) {
            return;
        }
        let continues = self.runner_continues;
        self.prefix(at_us, Stream::Runner, continues);
        let _ = write!(
            self.out,
            "{kind}:{}:{name}\r\x1b[0K",
            at_us.div_euclid(SECOND)
        );
        if self.timestamps {
            self.out.push(b'\n');
        }
        self.runner_continues = true;
    }

    /// Opens a section and prints its cyan header, as the runner does.
    pub(crate) fn section_start(&mut self, at_us: i64, name: &str, header: &str) {
        self.marker(at_us, "section_start", name);
        self.line_fmt(
            at_us,
            Stream::Runner,
            format_args!("\x1b[0K\x1b[36;1m{header}\x1b[0;m\x1b[0;m"),
        );
    }

    pub(crate) fn section_end(&mut self, at_us: i64, name: &str) {
        self.marker(at_us, "section_end", name);
    }
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ ` with the date part cached per second, like the runner's
/// timestamper.
#[derive(Default)]
struct Stamp {
    second: Option<i64>,
    head: [u8; 20],
}

impl Stamp {
    fn write(&mut self, out: &mut Vec<u8>, at_us: i64) {
        let (second, micros) = (at_us.div_euclid(SECOND), at_us.rem_euclid(SECOND));
        if self.second != Some(second) {
            let t = DateTime::from_timestamp(second, 0).unwrap_or_default();
            let mut head = Vec::with_capacity(20);
            let _ = write!(
                head,
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.",
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            );
            self.head.copy_from_slice(&head[..20]);
            self.second = Some(second);
        }
        out.extend_from_slice(&self.head);
        let _ = write!(out, "{micros:06}Z ");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_have_the_runners_shape() {
        let mut trace = Trace::new(true, i64::MAX);
        let at = 1_768_988_825_094_269; // 2026-01-21T09:47:05.094269Z
        trace.section_start(at, "prepare_executor", "Preparing the \"docker\" executor");
        trace.line(at + 1, Stream::Out, "hello");
        let text = String::from_utf8(trace.out).unwrap();
        assert_eq!(
            text,
            "2026-01-21T09:47:05.094269Z 00O section_start:1768988825:prepare_executor\r\x1b[0K\n\
             2026-01-21T09:47:05.094269Z 00O+\x1b[0K\x1b[36;1mPreparing the \"docker\" executor\x1b[0;m\x1b[0;m\n\
             2026-01-21T09:47:05.094270Z 01O hello\n"
        );
    }

    #[test]
    fn without_timestamps_markers_run_into_the_next_write() {
        let mut trace = Trace::new(false, i64::MAX);
        trace.section_end(5 * SECOND, "get_sources");
        trace.section_start(
            5 * SECOND + 1,
            "step_script",
            "Executing \"step_script\" stage of the job script",
        );
        assert_eq!(
            String::from_utf8(trace.out).unwrap(),
            "section_end:5:get_sources\r\x1b[0Ksection_start:5:step_script\r\x1b[0K\x1b[0K\x1b[36;1mExecuting \"step_script\" stage of the job script\x1b[0;m\x1b[0;m\n"
        );
    }

    #[test]
    fn nothing_after_the_cutoff_is_written() {
        let mut trace = Trace::new(false, 10);
        trace.line(5, Stream::Out, "before");
        trace.line(11, Stream::Out, "after");
        trace.line(6, Stream::Out, "later but out of order");
        assert_eq!(String::from_utf8(trace.out).unwrap(), "before\n");
    }
}
