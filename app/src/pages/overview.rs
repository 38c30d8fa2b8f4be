use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::{impact::get_findings, overview::get_overview},
    components::{
        empty_state::EmptyState,
        filters::{FilterBar, use_filters},
        format::{change, duration_ms, maybe_duration, ratio, utc_minute},
        phase_bar::{PhaseShareBar, PhaseShareLegend},
    },
    pages::impact::{JobLinks, per_week},
};
use strata_core::model::{filters::Filters, overview::Overview};

/// `/`: every tracked project, the most expensive first.
#[component]
pub fn OverviewPage() -> impl IntoView {
    let parsed = use_filters();
    let filters = Signal::derive(move || parsed.get().unwrap_or_default());
    let data = Resource::new(
        move || parsed.get(),
        |f| async move {
            match f {
                Ok(f) => get_overview(f).await.map_err(crate::api::user_message),
                Err(e) => Err(e.to_string()),
            }
        },
    );

    view! {
        <Title text="Projects" />
        <div class="page-head">
            <h1>"Projects"</h1>
        </div>
        <FilterBar filters=filters />
        <p class="period-label" data-testid="period-label">{move || filters.get().window.label()}</p>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(o) if o.projects.is_empty() && o.filters == Filters::default() => {
                        view! { <EmptyState setup=o.setup /> }.into_any()
                    }
                    Ok(o) => view! { <ProjectTable overview=o /> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                }
            })}
        </Transition>
        <OverviewFindings filters=filters />
    }
}

/// Findings across projects, loaded on their own so the table never waits for them.
#[component]
fn OverviewFindings(filters: Signal<Filters>) -> impl IntoView {
    let data = Resource::new(
        move || filters.get(),
        |f| async move { get_findings(f).await.map_err(crate::api::user_message) },
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(list) if list.is_empty() => ().into_any(),
                    Ok(list) => view! {
                        <section class="impact" aria-labelledby="findings-title">
                            <h2 id="findings-title">"Findings"</h2>
                            <ul class="findings" data-testid="overview-findings">
                                {list.into_iter().map(|p| view! {
                                    <li>
                                        <a href=format!("/projects/{}", p.project_id)>{p.project.clone()}</a> ": "
                                        <strong>{p.finding.title.clone()}</strong>
                                        <span class="at-stake">{per_week(p.finding.time_per_week_ms)}</span>
                                        <p>{p.finding.detail.clone()} " — jobs:" <JobLinks ids=p.finding.examples.clone() /></p>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </section>
                    }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProjectTable(overview: Overview) -> impl IntoView {
    let filters = overview.filters.clone();
    let no_token = !overview.setup.gitlab_token;
    view! {
        {no_token.then(|| view! {
            <p class="hint">"No GitLab token is configured: job logs cannot be fetched, so phase, cache and Docker figures cover only logs analysed before (set " <code>"GITLAB_TOKEN"</code> ")."</p>
        })}
        <div class="table-wrap">
            <table class="data" data-testid="projects">
                <thead>
                    <tr>
                        <th scope="col">"Project"</th>
                        <th scope="col" class="num">"Pipelines"</th>
                        <th scope="col" class="num">"Success"</th>
                        <th scope="col" class="num">"Median"</th>
                        <th scope="col" class="num">"p95"</th>
                        <th scope="col" class="num" title="Median against the period before">"Trend"</th>
                        <th scope="col" class="num" title="Run time plus queue time of every job">"Job time"</th>
                        <th scope="col">"Where job time went"</th>
                        <th scope="col" class="num">"Cache hits"</th>
                        <th scope="col" class="num">"Docker cached"</th>
                        <th scope="col">"Last pipeline"</th>
                    </tr>
                </thead>
                <tbody>
                    {overview
                        .projects
                        .into_iter()
                        .map(|p| {
                            let href = filters.href(&format!("/projects/{}", p.id));
                            let trend = p.trend();
                            let trend_class = match trend {
                                Some(t) if t >= 0.05 => "num worse",
                                Some(t) if t <= -0.05 => "num better",
                                _ => "num",
                            };
                            view! {
                                <tr data-project-id=p.id>
                                    <th scope="row">
                                        <a class="project-path" href=href>{p.path.clone()}</a>
                                        {strata_core::model::web_link::web_link(p.web_url.as_deref()).map(|url| view! {
                                            " " <a class="external" href=url rel="noopener noreferrer">"GitLab ↗"</a>
                                        })}
                                    </th>
                                    <td class="num" data-testid="pipelines">{p.pipelines}</td>
                                    <td class="num" data-testid="success">{ratio(p.success)}</td>
                                    <td class="num" data-testid="p50">{maybe_duration(p.duration.p50_ms)}</td>
                                    <td class="num" data-testid="p95">{maybe_duration(p.duration.p95_ms)}</td>
                                    <td class=trend_class data-testid="trend">{change(trend)}</td>
                                    <td class="num" data-testid="job-time">{duration_ms(p.job_time_ms)}</td>
                                    <td class="share-cell"><PhaseShareBar times=p.phases.clone() /></td>
                                    <td class="num" data-testid="cache-hits">{ratio(p.cache_hits)}</td>
                                    <td class="num" data-testid="docker-cached">{ratio(p.docker_cached_steps)}</td>
                                    <td>{utc_minute(p.last_pipeline_at_ms)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <PhaseShareLegend />
    }
}
