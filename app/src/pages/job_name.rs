use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    api::detail::get_job_name,
    components::{
        chart::ChartFigure,
        filters::{FilterBar, use_filters},
        format::{maybe_duration, ratio},
        runs::RunTable,
    },
    pages::not_found::NotFound,
};
use strata_core::model::{
    detail::JobNamePage,
    filters::{Filters, decode},
};

/// `/projects/:id/jobs/:name`: one job's duration, split by what its cache and Docker layer
/// cache did.
#[component]
pub fn JobNameView() -> impl IntoView {
    let params = use_params_map();
    let parsed = use_filters();
    let filters = Signal::derive(move || parsed.get().unwrap_or_default());
    let key = move || {
        let p = params.read();
        let id = p.get("id").and_then(|id| id.parse::<i64>().ok());
        // The client router leaves `%2F` encoded where the server decoded it: decode here so
        // both render the same name.
        (id, p.get("name").map(|n| decode(&n)))
    };
    let data = Resource::new(
        move || (key(), parsed.get()),
        |((id, name), f)| async move {
            match (id, name, f) {
                (Some(id), Some(name), Ok(f)) => get_job_name(id, name, f)
                    .await
                    .map_err(crate::api::user_message),
                (_, _, Err(e)) => Err(e.to_string()),
                _ => Ok(None),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Some(page)) => view! { <JobNameBody page=page filters=filters /> }.into_any(),
                    Ok(None) => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn JobNameBody(page: JobNamePage, filters: Signal<Filters>) -> impl IntoView {
    let up = Filters {
        job: None,
        project: None,
        ..page.filters.clone()
    };
    view! {
        <Title text=format!("{} · {}", page.name, page.project.path) />
        <nav class="crumbs" aria-label="Breadcrumb">
            <a href=up.href("/")>"Projects"</a> " / "
            <a href=up.href(&format!("/projects/{}", page.project.id))>{page.project.path.clone()}</a> " / "
        </nav>
        <div class="page-head"><h1 data-testid="job-name">{page.name.clone()}</h1></div>
        <FilterBar filters=filters />
        <p class="period-label" data-testid="period-label">{page.window_label.clone()}</p>
        <dl class="tiles">
            <div><dt>"Runs"</dt><dd data-testid="tile-runs">{page.runs}</dd></div>
            <div><dt>"Median"</dt><dd data-testid="tile-p50">{maybe_duration(page.duration.p50_ms)}</dd></div>
            <div><dt>"p95"</dt><dd data-testid="tile-p95">{maybe_duration(page.duration.p95_ms)}</dd></div>
            <div><dt>"Cache hits"</dt><dd>{ratio(page.cache_hits)}</dd></div>
            <div><dt>"Docker steps cached"</dt><dd>{ratio(page.docker_cached_steps)}</dd></div>
        </dl>
        {(!page.groups.is_empty()).then(|| view! {
            <div class="table-wrap">
                <table class="data" data-testid="groups">
                    <thead><tr><th scope="col">"Runs with"</th><th scope="col" class="num">"Runs"</th><th scope="col" class="num">"Median"</th><th scope="col" class="num">"p95"</th></tr></thead>
                    <tbody>
                        {page.groups.iter().map(|g| view! {
                            <tr><th scope="row">{g.label.clone()}</th><td class="num">{g.duration.count}</td><td class="num">{maybe_duration(g.duration.p50_ms)}</td><td class="num">{maybe_duration(g.duration.p95_ms)}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
        <section class="charts" aria-label="Charts">
            {page.charts.clone().into_iter().map(|chart| view! { <ChartFigure chart=chart /> }).collect_view()}
        </section>
        <section aria-labelledby="recent-title">
            <h2 id="recent-title">"Recent runs"</h2>
            <RunTable runs=page.recent.clone() />
        </section>
    }
}
