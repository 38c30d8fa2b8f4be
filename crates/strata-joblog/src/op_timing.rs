//! Cache and artifact operations have no timing of their own in the log; they
//! take the time of the runner section they ran in (`restore_cache`,
//! `upload_artifacts_on_success`, …). With several operations in one section:
//!
//! * timestamped log: each operation runs from its first line to the next
//!   operation's first line (the first one also gets the section's lead-in,
//!   the last one runs to the section's end);
//! * otherwise the section's time is split evenly (the first few get the
//!   remainder milliseconds), so the shares always add up to the section.

use super::sections::ClosedTopLevel;

pub trait SectionShare {
    /// The top-level section the operation ran in.
    fn section_id(&self) -> Option<u32>;
    /// Instant of the operation's first line, when the line was timestamped.
    fn started_at(&self) -> Option<i64>;
    fn set_duration(&mut self, duration_ms: i64);
}

/// Gives the operations of the just-closed section their share of its time.
/// Operations of one section are contiguous at the end of `ops`.
pub fn share_section_time<T: SectionShare>(ops: &mut [T], closed: ClosedTopLevel) {
    let first = ops
        .iter()
        .rposition(|op| op.section_id() != Some(closed.id))
        .map_or(0, |last_other| last_other + 1);
    let Some(in_section) = ops.get_mut(first..) else {
        return;
    };
    let count = in_section.len();
    if count == 0 {
        return;
    }
    let total = closed.end.saturating_sub(closed.start).max(0);
    let starts: Option<Vec<i64>> = in_section.iter().map(SectionShare::started_at).collect();
    match starts {
        Some(starts) => {
            let clamp = |instant: i64| instant.clamp(closed.start, closed.end.max(closed.start));
            for (index, op) in in_section.iter_mut().enumerate() {
                let from = if index == 0 {
                    closed.start
                } else {
                    starts.get(index).map_or(closed.start, |s| clamp(*s))
                };
                let to = starts
                    .get(index + 1)
                    .map_or(closed.end, |s| clamp(*s))
                    .max(from);
                op.set_duration(to.saturating_sub(from));
            }
        }
        None => {
            let count = i64::try_from(count).unwrap_or(i64::MAX);
            let (share, remainder) = (total / count, total % count);
            for (index, op) in in_section.iter_mut().enumerate() {
                let extra = i64::from(i64::try_from(index).unwrap_or(i64::MAX) < remainder);
                op.set_duration(share + extra);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Op {
        section: Option<u32>,
        start: Option<i64>,
        duration: Option<i64>,
    }

    impl SectionShare for Op {
        fn section_id(&self) -> Option<u32> {
            self.section
        }
        fn started_at(&self) -> Option<i64> {
            self.start
        }
        fn set_duration(&mut self, duration_ms: i64) {
            self.duration = Some(duration_ms);
        }
    }

    fn op(section: u32, start: Option<i64>) -> Op {
        Op {
            section: Some(section),
            start,
            duration: None,
        }
    }

    #[test]
    fn even_split_adds_up() {
        let mut ops = vec![op(0, None), op(1, None), op(1, None), op(1, None)];
        share_section_time(
            &mut ops,
            ClosedTopLevel {
                id: 1,
                start: 0,
                end: 5000,
            },
        );
        let durations: Vec<_> = ops.iter().map(|o| o.duration).collect();
        assert_eq!(durations, vec![None, Some(1667), Some(1667), Some(1666)]);
    }

    #[test]
    fn timestamped_split_follows_the_lines() {
        let mut ops = vec![op(7, Some(1200)), op(7, Some(4000))];
        share_section_time(
            &mut ops,
            ClosedTopLevel {
                id: 7,
                start: 1000,
                end: 9000,
            },
        );
        let durations: Vec<_> = ops.iter().map(|o| o.duration).collect();
        assert_eq!(durations, vec![Some(3000), Some(5000)]);
    }
}
