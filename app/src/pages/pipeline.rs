use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    api::detail::get_pipeline,
    components::{
        chart::ChartFigure,
        format::{duration_ms, utc_minute},
        runs::RunTable,
    },
    pages::not_found::NotFound,
};
use strata_core::model::{detail::PipelinePage, phase::PhaseKind};

/// `/pipelines/:id`: the pipeline's jobs on a timeline, each split into its phases.
#[component]
pub fn PipelineView() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let data = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_pipeline(id).await.map_err(crate::api::user_message),
            None => Ok(None),
        }
    });
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Some(page)) => view! { <PipelineBody page=page /> }.into_any(),
                    Ok(None) => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PipelineBody(page: PipelinePage) -> impl IntoView {
    let p = page.pipeline.clone();
    let number = format!("#{}", p.iid.unwrap_or(p.id));
    let total: i64 = page.phase_totals.iter().map(|(_, ms)| ms).sum();
    view! {
        <Title text=format!("Pipeline {number} · {}", page.project.path) />
        <nav class="crumbs" aria-label="Breadcrumb">
            <a href="/">"Projects"</a> " / "
            <a href=format!("/projects/{}", page.project.id)>{page.project.path.clone()}</a> " / "
        </nav>
        <div class="page-head">
            <h1>"Pipeline " {number}</h1>
            {strata_core::model::web_link::web_link(p.web_url.as_deref()).map(|url| view! { <a class="external" href=url rel="noopener noreferrer">"Open in GitLab ↗"</a> })}
        </div>
        <dl class="tiles">
            <div><dt>"Status"</dt><dd><span class=format!("status status-{}", p.status)>{p.status.clone()}</span></dd></div>
            <div><dt>"Branch"</dt><dd>{p.git_ref.clone().unwrap_or_default()}</dd></div>
            <div><dt>"Source"</dt><dd>{p.source.clone().unwrap_or_default()}</dd></div>
            <div><dt>"Duration"</dt><dd data-testid="tile-duration">{p.duration_ms.map(duration_ms).unwrap_or_else(|| "—".into())}</dd></div>
            <div><dt>"Queued"</dt><dd>{p.queued_duration_ms.map(duration_ms).unwrap_or_else(|| "—".into())}</dd></div>
            <div><dt>"Created"</dt><dd>{utc_minute(p.created_at_ms)}</dd></div>
        </dl>
        <ChartFigure chart=page.gantt.clone() />
        <section aria-labelledby="totals-title">
            <h2 id="totals-title">"Time by phase, all jobs"</h2>
            <div class="table-wrap">
                <table class="data" data-testid="phase-totals">
                    <thead><tr><th scope="col">"Phase"</th><th scope="col" class="num">"Time"</th><th scope="col" class="num">"Share"</th></tr></thead>
                    <tbody>
                        {page.phase_totals.iter().map(|(phase, ms)| {
                            let kind = PhaseKind::from_key(phase).unwrap_or(PhaseKind::Other);
                            view! {
                                <tr>
                                    <th scope="row"><span class="swatch" style=format!("background:{}", kind.color())></span>{kind.label()}</th>
                                    <td class="num">{duration_ms(*ms)}</td>
                                    <td class="num">{crate::components::format::percent(*ms, total)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        <section aria-labelledby="jobs-title">
            <h2 id="jobs-title">"Jobs"</h2>
            <RunTable runs=page.jobs.clone() />
        </section>
    }
}
