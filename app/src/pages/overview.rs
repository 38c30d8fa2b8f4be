use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::overview::get_overview,
    components::{
        empty_state::EmptyState,
        format::{percent, utc_minute},
        period_picker::PeriodPicker,
    },
    model::{Overview, Period},
};

/// `/`: every tracked project and its activity in the chosen period.
#[component]
pub fn OverviewPage() -> impl IntoView {
    let query = use_query_map();
    let period = Memo::new(move |_| {
        query
            .read()
            .get("period")
            .and_then(|p| Period::from_param(&p))
            .unwrap_or_default()
    });
    let data = Resource::new(move || period.get(), get_overview);

    view! {
        <Title text="Projects" />
        <div class="page-head">
            <h1>"Projects"</h1>
            <PeriodPicker current=period />
        </div>
        <p class="period-label" data-testid="period-label">{move || period.get().label()}</p>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(o) if o.projects.is_empty() => view! { <EmptyState setup=o.setup /> }.into_any(),
                    Ok(o) => view! { <ProjectTable overview=o /> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ProjectTable(overview: Overview) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data" data-testid="projects">
                <thead>
                    <tr>
                        <th scope="col">"Project"</th>
                        <th scope="col" class="num">"Pipelines"</th>
                        <th scope="col" class="num">"Success"</th>
                        <th scope="col">"Last pipeline"</th>
                    </tr>
                </thead>
                <tbody>
                    {overview
                        .projects
                        .into_iter()
                        .map(|p| {
                            view! {
                                <tr data-project-id=p.id>
                                    <th scope="row">
                                        <span class="project-path">{p.path.clone()}</span>
                                        {p.web_url.clone().map(|url| view! {
                                            " " <a class="external" href=url rel="noopener noreferrer">"GitLab ↗"</a>
                                        })}
                                    </th>
                                    <td class="num" data-testid="pipelines">{p.pipelines}</td>
                                    <td class="num">{percent(p.succeeded, p.pipelines)}</td>
                                    <td>{utc_minute(p.last_pipeline_at_ms)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
