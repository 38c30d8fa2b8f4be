use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    api::project::get_project,
    components::{
        chart::ChartFigure,
        filters::{FilterBar, use_filters},
        format::{duration_ms, maybe_duration, ratio, utc_minute},
        phase_bar::{PhaseShareBar, PhaseShareLegend},
    },
    pages::{impact::ImpactSection, not_found::NotFound},
};
use strata_core::model::{
    filters::{Filters, encode},
    project::{JobNameStats, PipelineRow, ProjectPage},
};

/// `/projects/:id`: where one project's pipeline time goes, day by day and job by job.
#[component]
pub fn ProjectView() -> impl IntoView {
    let params = use_params_map();
    let parsed = use_filters();
    let filters = Signal::derive(move || parsed.get().unwrap_or_default());
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let data = Resource::new(
        move || (id(), parsed.get()),
        |(id, f)| async move {
            match (id, f) {
                (None, _) => Ok(None),
                (Some(id), Ok(f)) => get_project(id, f).await.map_err(crate::api::user_message),
                (Some(_), Err(e)) => Err(e.to_string()),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Some(page)) => view! { <ProjectBody page=page filters=filters /> }.into_any(),
                    Ok(None) => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ProjectBody(page: ProjectPage, filters: Signal<Filters>) -> impl IntoView {
    let project = page.project.clone();
    let base = page.filters.clone();
    view! {
        <Title text=project.path.clone() />
        <nav class="crumbs" aria-label="Breadcrumb"><a href=Filters { project: None, job: None, ..base.clone() }.href("/")>"Projects"</a> " / "</nav>
        <div class="page-head">
            <h1 data-testid="project-path">{project.path.clone()}</h1>
            {strata_core::model::web_link::web_link(project.web_url.as_deref()).map(|url| view! { <a class="external" href=url rel="noopener noreferrer">"Open in GitLab ↗"</a> })}
        </div>
        <FilterBar filters=filters />
        <p class="period-label" data-testid="period-label">{page.window_label.clone()}</p>
        {(!page.setup.gitlab_token && page.jobs.part < page.jobs.whole).then(|| view! {
            <p class="hint">{format!("{} of {} jobs that ran have analysed logs. Phase, cache and Docker figures need job logs, which need a GitLab token (", page.jobs.part, page.jobs.whole)} <code>"GITLAB_TOKEN"</code> ")."</p>
        })}
        <dl class="tiles">
            <div><dt>"Pipelines"</dt><dd data-testid="tile-pipelines">{page.pipelines}</dd></div>
            <div><dt>"Success"</dt><dd data-testid="tile-success">{ratio(page.success)}</dd></div>
            <div><dt>"Median"</dt><dd data-testid="tile-p50">{maybe_duration(page.duration.p50_ms)}</dd></div>
            <div><dt>"p95"</dt><dd data-testid="tile-p95">{maybe_duration(page.duration.p95_ms)}</dd></div>
            <div><dt>"Logs analysed"</dt><dd data-testid="tile-analysed">{format!("{} of {}", page.jobs.part, page.jobs.whole)}</dd></div>
            <div><dt>"Cache hits"</dt><dd data-testid="tile-cache">{ratio(page.cache_hits)}</dd></div>
            <div><dt>"Docker steps cached"</dt><dd data-testid="tile-docker">{ratio(page.docker_cached_steps)}</dd></div>
        </dl>
        <section aria-labelledby="split-title">
            <h2 id="split-title">"Where job time went"</h2>
            <PhaseShareBar times=page.phases.clone() />
            <PhaseShareLegend />
        </section>
        <section class="charts" aria-label="Charts">
            {page.charts.clone().into_iter().map(|chart| view! { <ChartFigure chart=chart /> }).collect_view()}
        </section>
        <ImpactSection project_id=project.id filters=base.clone() />
        <JobNameTable project_id=project.id names=page.job_names.clone() filters=base.clone() />
        <SlowestPipelines pipelines=page.slowest.clone() filters=base />
    }
}

#[component]
fn JobNameTable(project_id: i64, names: Vec<JobNameStats>, filters: Filters) -> impl IntoView {
    let csv = filters.href("/export/daily.csv");
    view! {
        <section aria-labelledby="jobs-title">
            <h2 id="jobs-title">"Jobs" <a class="data-link" href=csv download="" rel="nofollow">"data (CSV)"</a></h2>
            <div class="table-wrap">
                <table class="data" data-testid="job-names">
                    <thead><tr>
                        <th scope="col">"Job"</th>
                        <th scope="col" class="num">"Runs"</th>
                        <th scope="col" class="num">"Median"</th>
                        <th scope="col" class="num">"p95"</th>
                        <th scope="col">"Where its time went"</th>
                        <th scope="col" class="num">"Cache hits"</th>
                        <th scope="col" class="num">"Docker cached"</th>
                        <th scope="col" class="num">"Logs analysed"</th>
                    </tr></thead>
                    <tbody>
                        {names.into_iter().map(|n| {
                            let href = Filters { job: None, ..filters.clone() }
                                .href(&format!("/projects/{project_id}/jobs/{}", encode(&n.name)));
                            view! {
                                <tr data-job-name=n.name.clone()>
                                    <th scope="row"><a href=href>{n.name.clone()}</a></th>
                                    <td class="num" data-testid="runs">{n.runs}</td>
                                    <td class="num" data-testid="p50">{maybe_duration(n.duration.p50_ms)}</td>
                                    <td class="num" data-testid="p95">{maybe_duration(n.duration.p95_ms)}</td>
                                    <td class="share-cell"><PhaseShareBar times=n.phases.clone() /></td>
                                    <td class="num">{ratio(n.cache_hits)}</td>
                                    <td class="num">{ratio(n.docker_cached_steps)}</td>
                                    <td class="num">{ratio(n.analysed)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
pub fn SlowestPipelines(pipelines: Vec<PipelineRow>, filters: Filters) -> impl IntoView {
    let csv = filters.href("/export/pipelines.csv");
    view! {
        <section aria-labelledby="slowest-title">
            <h2 id="slowest-title">"Slowest pipelines" <a class="data-link" href=csv download="" rel="nofollow">"data (CSV)"</a></h2>
            {if pipelines.is_empty() {
                view! { <p class="muted">"No finished pipelines in this period."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="data" data-testid="slowest">
                            <thead><tr>
                                <th scope="col">"Pipeline"</th>
                                <th scope="col">"Branch"</th>
                                <th scope="col">"Source"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col">"Created"</th>
                                <th scope="col" class="num">"Duration"</th>
                                <th scope="col" class="num">"Queued"</th>
                            </tr></thead>
                            <tbody>
                                {pipelines.into_iter().map(|p| view! {
                                    <tr data-pipeline-id=p.id>
                                        <th scope="row"><a href=format!("/pipelines/{}", p.id)>{format!("#{}", p.iid.unwrap_or(p.id))}</a></th>
                                        <td>{p.git_ref.clone().unwrap_or_default()}</td>
                                        <td>{p.source.clone().unwrap_or_default()}</td>
                                        <td><span class=format!("status status-{}", p.status)>{p.status.clone()}</span></td>
                                        <td>{utc_minute(p.created_at_ms)}</td>
                                        <td class="num">{p.duration_ms.map(duration_ms).unwrap_or_default()}</td>
                                        <td class="num">{p.queued_duration_ms.map(duration_ms).unwrap_or_default()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
