use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    api::detail::get_job,
    components::{
        format::{bytes, duration_ms, maybe_ms, utc_minute},
        phase_bar::PhaseStrip,
    },
    pages::not_found::NotFound,
};
use strata_core::model::detail::JobPage;

/// `/jobs/:id`: one job's phases, cache and artifact transfers and Docker steps.
#[component]
pub fn JobView() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let data = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_job(id).await.map_err(crate::api::user_message),
            None => Ok(None),
        }
    });
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Some(page)) => view! { <JobBody page=page /> }.into_any(),
                    Ok(None) => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Why a job has no phases yet, in words.
fn trace_message(status: &str, token: bool) -> Option<&'static str> {
    match status {
        "analysed" => None,
        "queued" if !token => Some(
            "Its log is queued, but no GitLab token is configured to fetch it (set GITLAB_TOKEN).",
        ),
        "queued" => Some("Its log is queued for analysis."),
        "unavailable" => Some("GitLab no longer has its log (expired or erased)."),
        "failed" => Some("Its log could not be read."),
        _ => Some("The job has not finished, or never ran, so there is no log to analyse."),
    }
}

#[component]
fn JobBody(page: JobPage) -> impl IntoView {
    let job = page.job.clone();
    let message = trace_message(&job.trace_status, page.gitlab_token);
    view! {
        <Title text=format!("{} · job {}", job.name, job.id) />
        <nav class="crumbs" aria-label="Breadcrumb">
            <a href="/">"Projects"</a> " / "
            <a href=format!("/projects/{}", page.project.id)>{page.project.path.clone()}</a> " / "
            <a href=format!("/pipelines/{}", job.pipeline_id)>{format!("pipeline {}", job.pipeline_id)}</a> " / "
        </nav>
        <div class="page-head">
            <h1 data-testid="job-title">{job.name.clone()} " " <small class="muted">{format!("job {}", job.id)}</small></h1>
            {strata_core::model::web_link::web_link(job.web_url.as_deref()).map(|url| view! { <a class="external" href=url rel="noopener noreferrer">"Open in GitLab ↗"</a> })}
        </div>
        <dl class="tiles">
            <div><dt>"Status"</dt><dd><span class=format!("status status-{}", job.status)>{job.status.clone()}</span></dd></div>
            <div><dt>"Stage"</dt><dd>{job.stage.clone().unwrap_or_default()}</dd></div>
            <div><dt>"Duration"</dt><dd data-testid="tile-duration">{maybe_ms(job.duration_ms)}</dd></div>
            <div><dt>"Queued"</dt><dd>{maybe_ms(job.queued_duration_ms)}</dd></div>
            <div><dt>"Started"</dt><dd>{utc_minute(job.started_at_ms)}</dd></div>
        </dl>
        {message.map(|m| view! { <p class="hint" data-testid="trace-status">{m}</p> })}
        {(!page.phases.is_empty()).then(|| view! {
            <section aria-labelledby="phases-title">
                <h2 id="phases-title">"Phases"</h2>
                <PhaseStrip phases=page.phases.clone() />
                <div class="table-wrap">
                    <table class="data" data-testid="phases">
                        <thead><tr><th scope="col">"Section"</th><th scope="col">"Phase"</th><th scope="col" class="num">"Starts at"</th><th scope="col" class="num">"Duration"</th></tr></thead>
                        <tbody>
                            {page.phases.iter().map(|p| view! {
                                <tr><th scope="row"><code>{p.section.clone()}</code></th><td>{p.phase.clone()}</td><td class="num">{maybe_ms(p.start_offset_ms)}</td><td class="num">{duration_ms(p.duration_ms)}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </section>
        })}
        {(!page.cache_ops.is_empty()).then(|| view! {
            <section aria-labelledby="cache-title">
                <h2 id="cache-title">"Cache"</h2>
                <div class="table-wrap">
                    <table class="data" data-testid="cache-ops">
                        <thead><tr><th scope="col">"Operation"</th><th scope="col">"Key"</th><th scope="col">"Outcome"</th><th scope="col" class="num">"Size"</th><th scope="col" class="num">"Time"</th></tr></thead>
                        <tbody>
                            {page.cache_ops.iter().map(|c| view! {
                                <tr><th scope="row">{c.direction.clone()}</th><td><code>{c.cache_key.clone().unwrap_or_default()}</code></td><td>{c.outcome.clone()}</td><td class="num">{bytes(c.size_bytes)}</td><td class="num">{maybe_ms(c.duration_ms)}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </section>
        })}
        {(!page.artifact_ops.is_empty()).then(|| view! {
            <section aria-labelledby="artifacts-title">
                <h2 id="artifacts-title">"Artifacts"</h2>
                <div class="table-wrap">
                    <table class="data" data-testid="artifact-ops">
                        <thead><tr><th scope="col">"Operation"</th><th scope="col">"From job"</th><th scope="col" class="num">"Files"</th><th scope="col" class="num">"Size"</th><th scope="col" class="num">"HTTP"</th><th scope="col">"Outcome"</th><th scope="col" class="num">"Time"</th></tr></thead>
                        <tbody>
                            {page.artifact_ops.iter().map(|a| view! {
                                <tr>
                                    <th scope="row">{a.direction.clone()}</th>
                                    <td>{match (a.source_job_id, a.source_job_name.clone()) {
                                        (Some(id), name) => view! { <a href=format!("/jobs/{id}")>{name.unwrap_or_else(|| id.to_string())}</a> }.into_any(),
                                        (None, name) => view! { <span>{name.unwrap_or_default()}</span> }.into_any(),
                                    }}</td>
                                    <td class="num">{a.file_count.map(|n| n.to_string()).unwrap_or_default()}</td>
                                    <td class="num">{bytes(a.size_bytes)}</td>
                                    <td class="num">{a.http_status.map(|s| s.to_string()).unwrap_or_default()}</td>
                                    <td>{a.outcome.clone()}</td>
                                    <td class="num">{maybe_ms(a.duration_ms)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </section>
        })}
        {page.docker_builds.iter().enumerate().map(|(i, b)| view! {
            <section aria-label=format!("Docker build {}", i + 1)>
                <h2>{format!("Docker build {} ({}): {} of {} steps cached", i + 1, b.builder, b.cached_steps, b.step_count)}</h2>
                <p class="muted">{format!("{} stage(s), {}{}", b.stage_count, maybe_ms(b.duration_ms), match b.succeeded { Some(true) => ", succeeded", Some(false) => ", failed", None => "" })}</p>
                <div class="table-wrap">
                    <table class="data" data-testid="docker-steps">
                        <thead><tr><th scope="col">"Stage"</th><th scope="col" class="num">"Step"</th><th scope="col">"Instruction"</th><th scope="col">"Cache"</th><th scope="col" class="num">"Time"</th></tr></thead>
                        <tbody>
                            {b.steps.iter().map(|s| view! {
                                <tr class=if s.cached { "cached" } else { "" }>
                                    <td>{s.stage.clone().unwrap_or_default()}</td>
                                    <td class="num">{match (s.step_index, s.step_total) { (Some(i), Some(n)) => format!("{i}/{n}"), (Some(i), None) => i.to_string(), _ => String::new() }}</td>
                                    <td><code>{s.instruction.clone()}</code></td>
                                    <td>{if s.cached { "cached" } else { "built" }}</td>
                                    <td class="num">{maybe_ms(s.duration_ms)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </section>
        }).collect_view()}
        {(!page.warnings.is_empty()).then(|| view! {
            <details class="warnings"><summary>{format!("{} analysis warnings", page.warnings.len())}</summary>
                <ul>{page.warnings.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}</ul>
            </details>
        })}
    }
}
