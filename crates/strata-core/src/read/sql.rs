//! Building `WHERE` clauses from [`Filters`], with numbered placeholders and the values to
//! bind in order, so user input never becomes SQL text.

use crate::model::filters::Filters;

/// A value to bind.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Int(i64),
    Text(String),
}

/// Conditions joined with `AND`, and their arguments.
#[derive(Clone, Debug, Default)]
pub struct Conditions {
    clauses: Vec<String>,
    pub args: Vec<Arg>,
}

impl Conditions {
    /// Arguments already taken by the caller's own placeholders come first: numbering
    /// continues after them.
    pub fn after(args: Vec<Arg>) -> Conditions {
        Conditions {
            clauses: Vec::new(),
            args,
        }
    }

    /// Add `template`, where `?` is replaced by this argument's placeholder.
    pub fn push(&mut self, template: &str, arg: Arg) -> &mut Self {
        self.args.push(arg);
        self.clauses
            .push(template.replace('?', &format!("${}", self.args.len())));
        self
    }

    /// A condition without an argument.
    pub fn push_raw(&mut self, clause: &str) -> &mut Self {
        self.clauses.push(clause.to_owned());
        self
    }

    /// `WHERE a AND b`, or nothing.
    pub fn where_sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.clauses.join(" AND "))
        }
    }

    /// `AND a AND b`, to extend a `WHERE` the caller wrote.
    pub fn and_sql(&self) -> String {
        self.clauses.iter().map(|c| format!(" AND {c}")).collect()
    }

    /// The next placeholder number (for a caller's `LIMIT` after the conditions).
    pub fn next_placeholder(&self) -> String {
        format!("${}", self.args.len() + 1)
    }

    /// Conditions on a rollup table (`job_daily` or `pipeline_daily`, aliased `alias`) for
    /// UTC days `from..=to` and the filters' ref, source, status, job and project.
    pub fn rollup(
        alias: &str,
        filters: &Filters,
        (from, to): (i64, i64),
        with_job: bool,
    ) -> Conditions {
        let mut c = Conditions::default();
        c.push(&format!("{alias}.day >= ?"), Arg::Int(from));
        c.push(&format!("{alias}.day <= ?"), Arg::Int(to));
        c.text_filters(
            alias,
            filters,
            "git_ref",
            "source",
            "status",
            with_job.then_some("job_name"),
        );
        if let Some(project) = filters.project {
            c.push(&format!("{alias}.project_id = ?"), Arg::Int(project));
        }
        c
    }

    /// Ref, source, status and (optionally) job name conditions with the given column names.
    pub fn text_filters(
        &mut self,
        alias: &str,
        filters: &Filters,
        ref_column: &str,
        source_column: &str,
        status_column: &str,
        job_column: Option<&str>,
    ) -> &mut Self {
        if let Some(git_ref) = &filters.git_ref {
            self.push(
                &format!("{alias}.{ref_column} = ?"),
                Arg::Text(git_ref.clone()),
            );
        }
        if let Some(source) = &filters.source {
            self.push(
                &format!("{alias}.{source_column} = ?"),
                Arg::Text(source.clone()),
            );
        }
        if let Some(status) = &filters.status {
            self.push(
                &format!("{alias}.{status_column} = ?"),
                Arg::Text(status.clone()),
            );
        }
        if let (Some(job), Some(column)) = (&filters.job, job_column) {
            self.push(&format!("{alias}.{column} = ?"), Arg::Text(job.clone()));
        }
        self
    }
}

/// Bind `args` in order onto a sqlx query (works for `query` and `query_as`).
#[macro_export]
macro_rules! bind_args {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                $crate::read::sql::Arg::Int(v) => query.bind(*v),
                $crate::read::sql::Arg::Text(v) => query.bind(v.clone()),
            };
        }
        query
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_placeholders_in_order_and_never_inlines_values() {
        let filters = Filters {
            git_ref: Some("main'; DROP TABLE jobs; --".into()),
            status: Some("success".into()),
            job: Some("build".into()),
            project: Some(7),
            ..Filters::default()
        };
        let c = Conditions::rollup("d", &filters, (10, 20), true);
        assert_eq!(
            c.where_sql(),
            "WHERE d.day >= $1 AND d.day <= $2 AND d.git_ref = $3 AND d.status = $4 AND d.job_name = $5 AND d.project_id = $6"
        );
        assert_eq!(c.args[2], Arg::Text("main'; DROP TABLE jobs; --".into()));
        assert_eq!(c.next_placeholder(), "$7");
        let without_job = Conditions::rollup("d", &filters, (10, 20), false);
        assert!(!without_job.where_sql().contains("job_name"));
    }
}
