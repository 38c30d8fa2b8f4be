use leptos::prelude::*;

use crate::components::format::{maybe_ms, utc_minute};
use strata_core::model::detail::JobRun;

/// A list of job runs with links to each job and its pipeline.
#[component]
pub fn RunTable(runs: Vec<JobRun>) -> impl IntoView {
    if runs.is_empty() {
        return view! { <p class="muted">"No runs."</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="data" data-testid="runs">
                <thead><tr>
                    <th scope="col">"Job"</th>
                    <th scope="col">"Pipeline"</th>
                    <th scope="col">"Stage"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Branch"</th>
                    <th scope="col">"Created"</th>
                    <th scope="col" class="num">"Queued"</th>
                    <th scope="col" class="num">"Duration"</th>
                    <th scope="col">"Cache"</th>
                    <th scope="col">"Docker"</th>
                    <th scope="col">"Log"</th>
                </tr></thead>
                <tbody>
                    {runs.into_iter().map(|r| {
                        let docker = match r.docker_warmth() {
                            "none" => String::new(),
                            warmth => format!("{warmth} ({}/{})", r.docker_cached_steps, r.docker_steps),
                        };
                        let cache = match r.cache_outcome() { "none" => "", outcome => outcome };
                        view! {
                            <tr data-job-id=r.id>
                                <th scope="row"><a href=format!("/jobs/{}", r.id)>{r.name.clone()}</a>{r.retried.then_some(" ↻")}</th>
                                <td><a href=format!("/pipelines/{}", r.pipeline_id) data-testid="pipeline-link">{r.pipeline_id}</a></td>
                                <td>{r.stage.clone().unwrap_or_default()}</td>
                                <td><span class=format!("status status-{}", r.status)>{r.status.clone()}</span></td>
                                <td>{r.git_ref.clone().unwrap_or_default()}</td>
                                <td>{utc_minute(r.created_at_ms)}</td>
                                <td class="num">{maybe_ms(r.queued_duration_ms)}</td>
                                <td class="num" data-testid="duration">{maybe_ms(r.duration_ms)}</td>
                                <td>{cache}</td>
                                <td>{docker}</td>
                                <td>{r.trace_status.clone()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
