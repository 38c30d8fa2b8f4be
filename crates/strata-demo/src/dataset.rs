//! The fake GitLab's data: one project per scenario, its pipelines up to a clock that tests
//! can move. Only an index of pipelines is kept (ids, arrival, final status and times); a
//! pipeline's jobs are regenerated from its seed whenever they are asked for, so a dataset of
//! 100,000 pipelines costs a few megabytes and logs cost nothing until fetched.

use chrono::{DateTime, TimeDelta, Utc};

use crate::{
    ground_truth::GroundTruth,
    scenario::{
        PipelineIds, ProjectSpec, Scenario, ScenarioKind,
        calendar::{Arrival, Calendar},
        generate_pipeline,
        model::{Pipeline, SECOND, Source, Status},
        noise::mix,
    },
};

/// What to generate.
#[derive(Clone, Debug)]
pub struct DemoConfig {
    /// Same seed, same data, byte for byte.
    pub seed: u64,
    /// The end of the window and the fake's clock at start.
    pub now: DateTime<Utc>,
    /// Length of the window of history.
    pub days: u32,
    /// Push and merge-request pipelines per project over the window, scaled by each
    /// project's weight (the queue-starved project gets a quarter); nightly schedules come
    /// on top (one per day).
    pub pipelines_per_project: u32,
    pub scenarios: Vec<ScenarioKind>,
}

impl DemoConfig {
    /// All scenarios, 90 days ending at `now`, 400 pipelines per project.
    pub fn new(now: DateTime<Utc>) -> DemoConfig {
        DemoConfig {
            seed: 0x5354_5241_5441,
            now,
            days: 90,
            pipelines_per_project: 400,
            scenarios: ScenarioKind::ALL.to_vec(),
        }
    }
}

/// A pipeline as the index keeps it: enough to list and filter without regenerating.
#[derive(Clone, Debug)]
pub struct PipelineEntry {
    pub arrival: Arrival,
    pub ids: PipelineIds,
    pub sha: String,
    /// Jobs including retried attempts.
    pub job_count: u32,
    /// Status, finish and last update once every job is done.
    pub final_status: Status,
    pub finished_us: i64,
    pub final_updated_us: i64,
}

struct ProjectData {
    scenario: &'static dyn Scenario,
    calendar: Calendar,
    pipelines: Vec<PipelineEntry>,
    next_job_id: i64,
    added: u64,
}

pub struct Dataset {
    window_start_us: i64,
    now_us: i64,
    seed: u64,
    projects: Vec<ProjectData>,
}

impl Dataset {
    #[tracing::instrument(skip(config), fields(seed = config.seed, pipelines = config.pipelines_per_project))]
    pub fn generate(config: &DemoConfig) -> Dataset {
        let now_us = config.now.timestamp_micros();
        let window_start_us = now_us - i64::from(config.days) * 86_400 * SECOND;
        let mut dataset = Dataset {
            window_start_us,
            now_us,
            seed: config.seed,
            projects: Vec::new(),
        };
        for kind in &config.scenarios {
            let scenario = kind.scenario();
            let spec = scenario.project();
            let pushes = (f64::from(config.pipelines_per_project) * spec.weight).round() as u64;
            let (calendar, arrivals) = Calendar::new(
                config.seed,
                spec.id as u64,
                window_start_us,
                now_us,
                pushes,
                spec.nightly,
            );
            dataset.projects.push(ProjectData {
                scenario,
                calendar,
                pipelines: Vec::with_capacity(arrivals.len()),
                next_job_id: 5_000_000_000 + spec.id_slot * 1_000_000_000,
                added: 0,
            });
            let index = dataset.projects.len() - 1;
            dataset.append(index, arrivals);
        }
        dataset
    }

    pub fn now_us(&self) -> i64 {
        self.now_us
    }

    pub fn window_start_us(&self) -> i64 {
        self.window_start_us
    }

    pub fn projects(&self) -> impl Iterator<Item = &'static ProjectSpec> + '_ {
        self.projects.iter().map(|p| p.scenario.project())
    }

    pub fn ground_truth(&self) -> Vec<GroundTruth> {
        self.projects
            .iter()
            .map(|p| p.scenario.ground_truth())
            .collect()
    }

    /// A project by numeric id or by `path_with_namespace`, as the API accepts either.
    pub fn project(&self, id_or_path: &str) -> Option<&'static ProjectSpec> {
        self.projects()
            .find(|p| p.path == id_or_path || id_or_path.parse::<i64>() == Ok(p.id))
    }

    /// Pipelines created up to now, oldest first.
    pub fn pipelines(&self, project_id: i64) -> &[PipelineEntry] {
        self.data(project_id).map_or(&[], |p| &p.pipelines)
    }

    pub fn pipeline_count(&self) -> usize {
        self.projects.iter().map(|p| p.pipelines.len()).sum()
    }

    /// The whole pipeline, regenerated.
    pub fn pipeline(&self, project_id: i64, pipeline_id: i64) -> Option<Pipeline> {
        let data = self.data(project_id)?;
        let index = data
            .pipelines
            .binary_search_by_key(&pipeline_id, |e| e.ids.id)
            .ok()?;
        Some(self.regenerate(data, &data.pipelines[index]))
    }

    /// The pipeline holding job `job_id`, regenerated.
    pub fn pipeline_of_job(&self, project_id: i64, job_id: i64) -> Option<Pipeline> {
        let data = self.data(project_id)?;
        let after = data
            .pipelines
            .partition_point(|e| e.ids.first_job_id <= job_id);
        let entry = data.pipelines.get(after.checked_sub(1)?)?;
        (job_id < entry.ids.first_job_id + i64::from(entry.job_count))
            .then(|| self.regenerate(data, entry))
    }

    /// Regenerates an entry's pipeline.
    pub fn expand(&self, project_id: i64, entry: &PipelineEntry) -> Option<Pipeline> {
        Some(self.regenerate(self.data(project_id)?, entry))
    }

    /// Moves the clock forward: pipelines that were running finish, new ones arrive on every
    /// project's calendar.
    pub fn advance(&mut self, by: TimeDelta) {
        let target = self.now_us + by.num_microseconds().unwrap_or(i64::MAX / 4).max(0);
        self.set_now(target);
    }

    /// Adds `n` pipelines on `main` to a project, one a minute from now, and moves the clock
    /// until they have all finished. Returns their ids.
    pub fn add_pipelines(&mut self, project_id: i64, n: u32) -> Vec<i64> {
        let Some(index) = self
            .projects
            .iter()
            .position(|p| p.scenario.project().id == project_id)
        else {
            return Vec::new();
        };
        let data = &mut self.projects[index];
        let start = data
            .pipelines
            .last()
            .map_or(self.now_us, |e| e.arrival.created_us.max(self.now_us));
        let arrivals: Vec<Arrival> = (1..=u64::from(n))
            .map(|k| {
                data.added += 1;
                Arrival {
                    created_us: start + k as i64 * 60 * SECOND,
                    source: Source::Push,
                    git_ref: "main".to_string(),
                    branch: None,
                    seed: mix(self.seed, &[project_id as u64, 0xADD, data.added]),
                }
            })
            .collect();
        let first_new = self.projects[index].pipelines.len();
        self.append(index, arrivals);
        let added = &self.projects[index].pipelines[first_new..];
        let done = added
            .iter()
            .map(|e| e.final_updated_us)
            .max()
            .unwrap_or(self.now_us);
        let ids = added.iter().map(|e| e.ids.id).collect();
        self.set_now(done + SECOND);
        ids
    }

    fn set_now(&mut self, now_us: i64) {
        if now_us <= self.now_us {
            return;
        }
        self.now_us = now_us;
        for index in 0..self.projects.len() {
            let arrivals = self.projects[index].calendar.until(now_us);
            self.append(index, arrivals);
        }
    }

    fn data(&self, project_id: i64) -> Option<&ProjectData> {
        self.projects
            .iter()
            .find(|p| p.scenario.project().id == project_id)
    }

    fn regenerate(&self, data: &ProjectData, entry: &PipelineEntry) -> Pipeline {
        generate_pipeline(
            data.scenario,
            self.window_start_us,
            &entry.arrival,
            entry.ids,
        )
    }

    /// Creates pipelines for `arrivals` (in time order). An arrival no later than the
    /// project's newest pipeline is dropped: ids grow with creation time, as in GitLab.
    fn append(&mut self, index: usize, arrivals: Vec<Arrival>) {
        let window_start_us = self.window_start_us;
        let data = &mut self.projects[index];
        let spec = data.scenario.project();
        for arrival in arrivals {
            if data
                .pipelines
                .last()
                .is_some_and(|e| e.arrival.created_us >= arrival.created_us)
            {
                continue;
            }
            let iid = data.pipelines.len() as i64 + 1;
            let ids = PipelineIds {
                id: 1_000_000_000 + spec.id_slot * 100_000_000 + iid,
                iid,
                first_job_id: data.next_job_id,
            };
            let pipeline = generate_pipeline(data.scenario, window_start_us, &arrival, ids);
            let finished_us = pipeline.finished_us().unwrap_or(arrival.created_us);
            data.next_job_id += pipeline.jobs.len() as i64;
            data.pipelines.push(PipelineEntry {
                job_count: pipeline.jobs.len() as u32,
                final_status: pipeline.status(),
                finished_us,
                final_updated_us: pipeline.updated_us(),
                sha: pipeline.sha,
                ids,
                arrival,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pipelines: u32) -> DemoConfig {
        let now = DateTime::parse_from_rfc3339("2026-03-02T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        DemoConfig {
            pipelines_per_project: pipelines,
            ..DemoConfig::new(now)
        }
    }

    #[test]
    fn every_project_gets_its_share_of_pipelines_plus_nightlies() {
        let data = Dataset::generate(&config(200));
        for project in data.projects() {
            let entries = data.pipelines(project.id);
            let nightly = entries
                .iter()
                .filter(|e| e.arrival.source == Source::Schedule)
                .count();
            let pushes = entries.len() - nightly;
            assert_eq!(
                pushes as f64,
                (200.0 * project.weight).round(),
                "{}",
                project.path
            );
            assert_eq!(
                nightly,
                if project.nightly { 90 } else { 0 },
                "{}",
                project.path
            );
            assert!(
                entries.windows(2).all(|w| w[0].ids.id < w[1].ids.id
                    && w[0].arrival.created_us < w[1].arrival.created_us)
            );
        }
    }

    #[test]
    fn a_job_id_leads_back_to_its_pipeline() {
        let data = Dataset::generate(&config(50));
        let entry = &data.pipelines(102)[17];
        let pipeline = data.expand(102, entry).unwrap();
        for job in &pipeline.jobs {
            let found = data.pipeline_of_job(102, job.id).unwrap();
            assert_eq!(found.id, pipeline.id);
        }
        assert!(
            data.pipeline_of_job(101, pipeline.jobs[0].id).is_none(),
            "job ids are per project"
        );
    }

    #[test]
    fn advancing_the_clock_brings_new_pipelines_and_finishes_running_ones() {
        let mut data = Dataset::generate(&config(100));
        let before = data.pipeline_count();
        data.advance(TimeDelta::days(7));
        assert!(data.pipeline_count() > before);
        let ids = data.add_pipelines(101, 3);
        assert_eq!(ids.len(), 3);
        let last = data.pipelines(101).last().unwrap();
        assert_eq!(last.ids.id, ids[2]);
        assert!(last.finished_us < data.now_us());
    }
}
