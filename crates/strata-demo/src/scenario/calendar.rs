//! When pipelines arrive, on which ref and why. Pushes and merge-request pipelines come in
//! working hours (weekdays 07:00–19:00 UTC), scheduled pipelines every night at 02:00 on
//! `main`. The calendar is a cursor: it hands out arrivals up to an instant and can be asked
//! again later for the ones after it, which is how the fake GitLab's clock moves forward.

use rand::Rng;

use super::{
    model::{SECOND, Source},
    noise::{DemoRng, between, mix, rng_for},
};

const DAY: i64 = 86_400 * SECOND;
const WEEK: i64 = 7 * DAY;
const ACTIVE_START: i64 = 7 * 3_600 * SECOND;
const ACTIVE_LEN: i64 = 12 * 3_600 * SECOND;
const ACTIVE_PER_WEEK: i64 = 5 * ACTIVE_LEN;
/// 1970-01-05T00:00:00Z, a Monday: weeks are counted from here.
const MONDAY: i64 = 4 * DAY;
const NIGHTLY_AT: i64 = 2 * 3_600 * SECOND;

const PUSH_STREAM: u64 = 1;
const SCHEDULE_STREAM: u64 = 2;
/// About this many pipelines run on one feature branch before the next one starts.
const PIPELINES_PER_BRANCH: u64 = 7;

const BRANCH_TOPICS: &[&str] = &[
    "login-form",
    "cache-key",
    "retry-uploads",
    "dark-mode",
    "csv-export",
    "node-22",
    "healthcheck",
    "rate-limits",
    "i18n",
    "audit-log",
    "search-index",
    "slim-image",
];

/// One pipeline's reason to exist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrival {
    pub created_us: i64,
    pub source: Source,
    pub git_ref: String,
    /// The feature branch number, for branch and merge-request pipelines.
    pub branch: Option<u64>,
    /// Seeds everything else about the pipeline.
    pub seed: u64,
}

/// The arrival process of one project.
#[derive(Clone, Debug)]
pub struct Calendar {
    seed: u64,
    project_key: u64,
    gaps: DemoRng,
    /// Scale from drawn gaps (mean 1) to active microseconds.
    gap_scale: f64,
    next_push_active: i64,
    pushes: u64,
    nightly: bool,
    next_night: i64,
    /// Everything up to here has been handed out: later arrivals must come after it.
    horizon_us: i64,
}

impl Calendar {
    /// A calendar whose first `pushes` push and merge-request pipelines fill `start..end`
    /// exactly (schedules come on top); later ones keep the same average rate.
    pub fn new(
        seed: u64,
        project_key: u64,
        start_us: i64,
        end_us: i64,
        pushes: u64,
        nightly: bool,
    ) -> (Calendar, Vec<Arrival>) {
        let mut gaps = rng_for(seed, &[project_key, 0xCA1E]);
        let drawn: Vec<f64> = (0..=pushes).map(|_| draw_gap(&mut gaps)).collect();
        let span = (wall_to_active(end_us) - wall_to_active(start_us)) as f64;
        let gap_scale = span / drawn.iter().sum::<f64>();
        let mut calendar = Calendar {
            seed,
            project_key,
            gaps,
            gap_scale,
            next_push_active: wall_to_active(start_us),
            pushes: 0,
            nightly,
            next_night: start_us.div_euclid(DAY),
            horizon_us: end_us,
        };
        let mut initial = Vec::with_capacity(pushes as usize);
        for gap in &drawn[..pushes as usize] {
            calendar.next_push_active += (gap * gap_scale) as i64;
            initial.push(calendar.take_push());
        }
        calendar.next_push_active += (drawn[pushes as usize] * gap_scale) as i64;
        let mut nights = calendar.nights_until(start_us, end_us);
        initial.append(&mut nights);
        initial.sort_by_key(|a| a.created_us);
        (calendar, initial)
    }

    /// Every arrival after the previous call and no later than `end_us`, in time order.
    /// Arrivals that would land at or before an instant already handed out are skipped: a
    /// pipeline never appears in the past.
    pub fn until(&mut self, end_us: i64) -> Vec<Arrival> {
        let mut out = Vec::new();
        while active_to_wall(self.next_push_active) <= end_us {
            let arrival = self.take_push();
            if arrival.created_us > self.horizon_us {
                out.push(arrival);
            }
            let gap = draw_gap(&mut self.gaps);
            self.next_push_active += (gap * self.gap_scale) as i64;
        }
        let mut nights = self.nights_until(self.horizon_us, end_us);
        out.append(&mut nights);
        out.sort_by_key(|a| a.created_us);
        self.horizon_us = self.horizon_us.max(end_us);
        out
    }

    /// The average time between push and merge-request pipelines, in active microseconds.
    pub fn mean_gap_us(&self) -> i64 {
        self.gap_scale as i64
    }

    fn take_push(&mut self) -> Arrival {
        let index = self.pushes;
        self.pushes += 1;
        let arrival_seed = mix(self.seed, &[self.project_key, PUSH_STREAM, index]);
        let mut rng = rng_for(arrival_seed, &[]);
        let branch = index / PIPELINES_PER_BRANCH;
        let roll: f64 = rng.random();
        let (source, git_ref, branch) = if roll < 0.02 {
            (Source::Web, "main".to_string(), None)
        } else if roll < 0.37 {
            (Source::Push, "main".to_string(), None)
        } else if roll < 0.75 {
            (Source::Push, branch_name(branch), Some(branch))
        } else {
            let mr = format!("refs/merge-requests/{}/head", branch + 1);
            (Source::MergeRequestEvent, mr, Some(branch))
        };
        // Pushes land anywhere within the second before; GitLab stores microseconds.
        let created_us =
            active_to_wall(self.next_push_active) - between(&mut rng, 0, 999_999) as i64;
        Arrival {
            created_us,
            source,
            git_ref,
            branch,
            seed: arrival_seed,
        }
    }

    fn nights_until(&mut self, after_us: i64, end_us: i64) -> Vec<Arrival> {
        let mut out = Vec::new();
        if !self.nightly {
            return out;
        }
        loop {
            let day = self.next_night;
            let seed = mix(self.seed, &[self.project_key, SCHEDULE_STREAM, day as u64]);
            let jitter = between(&mut rng_for(seed, &[]), 0, 20 * SECOND as u64) as i64;
            let at = day * DAY + NIGHTLY_AT + jitter;
            if at > end_us {
                return out;
            }
            self.next_night += 1;
            if at > after_us {
                out.push(Arrival {
                    created_us: at,
                    source: Source::Schedule,
                    git_ref: "main".to_string(),
                    branch: None,
                    seed,
                });
            }
        }
    }
}

pub fn branch_name(branch: u64) -> String {
    let topic = BRANCH_TOPICS[(mix(branch, &[0xB7]) % BRANCH_TOPICS.len() as u64) as usize];
    format!("feature/{topic}-{branch}")
}

/// Gaps between arrivals, mean 1: bursty enough to look like people, never zero.
fn draw_gap(rng: &mut DemoRng) -> f64 {
    0.1 + 1.8 * rng.random::<f64>()
}

/// Working time elapsed since the epoch: the clock that only runs on weekdays 07:00–19:00 UTC.
fn wall_to_active(t: i64) -> i64 {
    let rel = t - MONDAY;
    let (week, in_week) = (rel.div_euclid(WEEK), rel.rem_euclid(WEEK));
    let (day, in_day) = (in_week / DAY, in_week % DAY);
    let in_week_active = if day >= 5 {
        5 * ACTIVE_LEN
    } else {
        day * ACTIVE_LEN + (in_day - ACTIVE_START).clamp(0, ACTIVE_LEN)
    };
    week * ACTIVE_PER_WEEK + in_week_active
}

fn active_to_wall(a: i64) -> i64 {
    let (week, rest) = (a.div_euclid(ACTIVE_PER_WEEK), a.rem_euclid(ACTIVE_PER_WEEK));
    MONDAY + week * WEEK + (rest / ACTIVE_LEN) * DAY + ACTIVE_START + rest % ACTIVE_LEN
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_767_225_600 * SECOND; // 2026-01-01T00:00:00Z

    #[test]
    fn working_time_round_trips_inside_working_hours() {
        for hours in [7, 8, 12, 18] {
            let monday_hour = MONDAY + 100 * WEEK + hours * 3_600 * SECOND;
            assert_eq!(active_to_wall(wall_to_active(monday_hour)), monday_hour);
        }
        let saturday = MONDAY + 5 * DAY + 10 * 3_600 * SECOND;
        let friday_close = MONDAY + 4 * DAY + 19 * 3_600 * SECOND;
        assert_eq!(wall_to_active(saturday), wall_to_active(friday_close));
    }

    #[test]
    fn the_first_window_holds_exactly_the_requested_pushes() {
        let start = NOW - 90 * DAY;
        let (_, arrivals) = Calendar::new(42, 1, start, NOW, 500, false);
        assert_eq!(arrivals.len(), 500);
        assert!(
            arrivals
                .iter()
                .all(|a| a.created_us > start && a.created_us <= NOW)
        );
        assert!(
            arrivals
                .windows(2)
                .all(|w| w[0].created_us <= w[1].created_us)
        );
    }

    #[test]
    fn nightly_schedules_come_on_top_and_later_calls_continue_the_stream() {
        let start = NOW - 10 * DAY;
        let (mut calendar, arrivals) = Calendar::new(42, 1, start, NOW, 100, true);
        let nights = arrivals
            .iter()
            .filter(|a| a.source == Source::Schedule)
            .count();
        assert_eq!(nights, 10);
        let later = calendar.until(NOW + 7 * DAY);
        assert!(
            later
                .iter()
                .all(|a| a.created_us > NOW && a.created_us <= NOW + 7 * DAY)
        );
        assert_eq!(
            later
                .iter()
                .filter(|a| a.source == Source::Schedule)
                .count(),
            7
        );
        // Five working days at the first window's rate (100 pushes in 8 working days).
        let pushes = later
            .iter()
            .filter(|a| a.source != Source::Schedule)
            .count();
        assert!((40..=110).contains(&pushes), "{pushes} pushes in a week");
    }

    #[test]
    fn the_same_seed_gives_the_same_calendar() {
        let start = NOW - 30 * DAY;
        let a = Calendar::new(9, 3, start, NOW, 200, true).1;
        let b = Calendar::new(9, 3, start, NOW, 200, true).1;
        assert_eq!(a, b);
    }
}
