//! Which rows an export (or an API page) covers: the dashboard's filters resolved against
//! the clock, plus an optional single pipeline. Turned into SQL conditions with bound
//! arguments, never with values spliced into the text.

use crate::{
    model::filters::{FilterError, Filters},
    read::sql::{Arg, Conditions},
};

use super::kinds::{Kind, Level};

/// Filters as given, plus what only exports and the API take.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scope {
    pub filters: Filters,
    /// One pipeline's rows (`?pipeline=ID`), whatever the window: the pipeline page links
    /// its phases this way and the pipeline may be older than the default window.
    pub pipeline: Option<i64>,
}

impl Scope {
    /// Read `Filters` and `pipeline` from query pairs. `kind` refuses `pipeline` where it
    /// means nothing (`daily` rows are per day, not per pipeline).
    pub fn from_pairs<'a>(
        kind: Option<Kind>,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)> + Clone,
    ) -> Result<Scope, FilterError> {
        let filters = Filters::from_pairs(pairs.clone())?;
        let mut pipeline = None;
        for (name, value) in pairs {
            let value = value.trim();
            if name != "pipeline" || value.is_empty() {
                continue;
            }
            let refusal = match kind {
                Some(Kind::Daily) => {
                    Some("daily rows are per day; drop `pipeline` or export `phases`")
                }
                Some(Kind::Impact) => {
                    Some("impact measures a period, not one pipeline; drop `pipeline`")
                }
                _ => None,
            };
            if let Some(reason) = refusal {
                return Err(FilterError {
                    param: "pipeline".into(),
                    reason: reason.into(),
                });
            }
            pipeline = Some(value.parse().map_err(|_| FilterError {
                param: "pipeline".into(),
                reason: "use a numeric pipeline id".into(),
            })?);
        }
        Ok(Scope { filters, pipeline })
    }

    /// Conditions on the aliases every row plan uses (`p` pipeline, `j` job), for rows of
    /// `level` in the window `[start_ms, end_ms)`.
    pub fn conditions(&self, level: Level, window_ms: (i64, i64)) -> Conditions {
        let f = &self.filters;
        let mut c = Conditions::default();
        let owner = match level {
            Level::Pipeline => "p",
            Level::Job => "j",
        };
        match self.pipeline {
            Some(pipeline) => {
                let column = match level {
                    Level::Pipeline => "p.id = ?",
                    Level::Job => "j.pipeline_id = ?",
                };
                c.push(column, Arg::Int(pipeline));
            }
            None => {
                c.push(
                    &format!("{owner}.created_at_ms >= ?"),
                    Arg::Int(window_ms.0),
                );
                c.push(&format!("{owner}.created_at_ms < ?"), Arg::Int(window_ms.1));
            }
        }
        if let Some(project) = f.project {
            c.push(&format!("{owner}.project_id = ?"), Arg::Int(project));
        }
        if let Some(git_ref) = &f.git_ref {
            c.push("p.git_ref = ?", Arg::Text(git_ref.clone()));
        }
        if let Some(source) = &f.source {
            c.push("p.source = ?", Arg::Text(source.clone()));
        }
        if let Some(status) = &f.status {
            c.push(&format!("{owner}.status = ?"), Arg::Text(status.clone()));
        }
        if let Some(job) = &f.job {
            match level {
                Level::Job => c.push("j.name = ?", Arg::Text(job.clone())),
                // A pipeline matches a job name when it ran a job of that name.
                Level::Pipeline => c.push(
                    "EXISTS (SELECT 1 FROM jobs jn WHERE jn.pipeline_id = p.id AND jn.name = ?)",
                    Arg::Text(job.clone()),
                ),
            };
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(kind: Kind, pairs: &[(&str, &str)]) -> Result<Scope, FilterError> {
        Scope::from_pairs(Some(kind), pairs.iter().copied())
    }

    #[test]
    fn job_rows_take_status_and_name_from_the_job_and_ref_from_the_pipeline() {
        let s = scope(
            Kind::Jobs,
            &[
                ("ref", "main"),
                ("status", "failed"),
                ("job", "build"),
                ("project", "3"),
            ],
        )
        .unwrap();
        let c = s.conditions(Level::Job, (10, 20));
        assert_eq!(
            c.where_sql(),
            "WHERE j.created_at_ms >= $1 AND j.created_at_ms < $2 AND j.project_id = $3 \
             AND p.git_ref = $4 AND j.status = $5 AND j.name = $6"
        );
        let p = s.conditions(Level::Pipeline, (10, 20));
        assert!(p.where_sql().contains("p.status = $5"), "{}", p.where_sql());
        assert!(p.where_sql().contains("EXISTS"), "{}", p.where_sql());
    }

    #[test]
    fn a_pipeline_replaces_the_window_and_must_be_a_number() {
        let s = scope(Kind::Phases, &[("project", "1"), ("pipeline", "77")]).unwrap();
        assert_eq!(s.pipeline, Some(77));
        let c = s.conditions(Level::Job, (10, 20));
        assert_eq!(
            c.where_sql(),
            "WHERE j.pipeline_id = $1 AND j.project_id = $2"
        );
        assert_eq!(
            scope(Kind::Phases, &[("pipeline", "x")]).unwrap_err().param,
            "pipeline"
        );
        assert_eq!(
            scope(Kind::Daily, &[("pipeline", "7")]).unwrap_err().param,
            "pipeline"
        );
        assert_eq!(
            scope(Kind::Impact, &[("pipeline", "7")]).unwrap_err().param,
            "pipeline"
        );
    }
}
