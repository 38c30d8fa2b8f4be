//! `/projects/:id/compare?a=…&b=…`: two periods (`2026-10-01..2026-10-15`) or two branches
//! side by side, with medians, intervals and significance, and the days where a job's phase
//! mix changed offered as boundaries.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::{
    api::impact::get_comparison,
    components::{filters::use_filters, format::maybe_duration},
    pages::impact::with_ci,
};
use strata_core::model::{
    filters::{Filters, format_day},
    impact::Comparison,
};

#[component]
pub fn CompareView() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let parsed = use_filters();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let sides = move || {
        let q = query.read();
        (
            q.get("a").unwrap_or_default(),
            q.get("b").unwrap_or_default(),
        )
    };
    let data = Resource::new(
        move || (id(), parsed.get(), sides()),
        |(id, f, (a, b))| async move {
            match (id, f) {
                (None, _) => Err("no such project".to_owned()),
                (Some(_), Err(e)) => Err(e.to_string()),
                (Some(id), Ok(f)) => get_comparison(id, f, a, b)
                    .await
                    .map_err(crate::api::user_message),
            }
        },
    );
    view! {
        <Title text="Compare" />
        <div class="page-head"><h1>"Compare"</h1></div>
        <form class="compare-form" method="get">
            <label>"A " <input name="a" placeholder="2026-10-01..2026-10-15 or a branch" value=move || sides().0 /></label>
            <label>"B " <input name="b" placeholder="2026-10-16..2026-10-31 or a branch" value=move || sides().1 /></label>
            <button type="submit">"Compare"</button>
        </form>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let project = id().unwrap_or_default();
                let filters = parsed.get().unwrap_or_default();
                match data.await {
                    Ok(c) => view! { <CompareBody c=c project=project filters=filters /> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn CompareBody(c: Comparison, project: i64, filters: Filters) -> impl IntoView {
    view! {
        <div class="table-wrap"><table class="data" data-testid="comparison">
            <thead><tr><th scope="col">""</th>
                <th scope="col" class="num">{format!("A: {}", c.a_label)}</th>
                <th scope="col" class="num">{format!("B: {}", c.b_label)}</th>
                <th scope="col" class="num">"B − A (95% CI)"</th>
                <th scope="col" class="num">"Mann–Whitney p"</th></tr></thead>
            <tbody>{c.rows.iter().map(|r| view! {
                <tr class={if r.significant { "significant" } else { "" }}>
                    <th scope="row">{r.label.clone()}</th>
                    <td class="num">{format!("{} · n={}", with_ci(r.a_median), r.a_count)}</td>
                    <td class="num">{format!("{} · n={}", with_ci(r.b_median), r.b_count)}</td>
                    <td class="num">{r.difference.map_or("—".to_owned(), |d| format!("{}{} ({} to {})", if d.value < 0.0 { "−" } else { "+" }, maybe_duration(Some(d.value.abs())), signed(d.low), signed(d.high)))}</td>
                    <td class="num">{r.p_value.map_or("—".to_owned(), |p| format!("{p:.3}{}", if r.significant { " significant" } else { "" }))}</td>
                </tr>
            }).collect_view()}</tbody>
        </table></div>
        <h2>"Where a job's phase mix changed"</h2>
        {if c.boundaries.is_empty() {
            view! { <p class="muted">"No change in any job's phase mix in this window."</p> }.into_any()
        } else {
            view! { <ul class="boundaries" data-testid="boundaries">{c.boundaries.iter().map(|m| {
                let before = Filters { job: None, ..filters.clone() }.href(&format!("/projects/{project}/compare"));
                // Two weeks on each side of the boundary.
                let href = format!("{before}{}a={}..{}&b={}..{}", if before.contains('?') { "&" } else { "?" }, format_day(m.day - 14), format_day(m.day - 1), format_day(m.day), format_day(m.day + 13));
                view! { <li>{format!("{} on {}: {} up, {} down ({:.0}% of its time moved) ", m.job, format_day(m.day), m.gained.label(), m.lost.label(), m.shift * 100.0)}<a href=href>"compare before and after"</a></li> }
            }).collect_view()}</ul> }.into_any()
        }}
    }
}

fn signed(ms: f64) -> String {
    format!(
        "{}{}",
        if ms < 0.0 { "−" } else { "+" },
        maybe_duration(Some(ms.abs()))
    )
}
