//! The Impact section of the project page and the findings list the overview reuses: what
//! cache, artifacts and Docker layer caching cost or save, each number with the jobs behind
//! it.

use leptos::prelude::*;

use crate::{
    api::impact::get_impact,
    components::format::{maybe_duration, percent},
};
use strata_core::model::{
    filters::Filters,
    impact::{ImpactFinding, ImpactReport, Interval},
};

/// `1 h 20 min/week`.
pub fn per_week(ms: f64) -> String {
    format!("{}/week", maybe_duration(Some(ms)))
}

/// `95.2 s (90.1–99.8)`: a value with its 95 % interval.
pub fn with_ci(i: Option<Interval>) -> String {
    match i {
        Some(i) => format!(
            "{} ({}–{})",
            maybe_duration(Some(i.value)),
            maybe_duration(Some(i.low)),
            maybe_duration(Some(i.high))
        ),
        None => "—".to_owned(),
    }
}

/// Links to a few jobs behind a number.
#[component]
pub fn JobLinks(ids: Vec<i64>) -> impl IntoView {
    view! {
        <span class="job-links">
            {ids.into_iter().map(|id| view! { " " <a href=format!("/jobs/{id}")>{format!("#{id}")}</a> }).collect_view()}
        </span>
    }
}

/// Findings, most time at stake first.
#[component]
pub fn FindingList(findings: Vec<ImpactFinding>) -> impl IntoView {
    view! {
        <ul class="findings" data-testid="findings">
            {findings.into_iter().map(|f| view! {
                <li>
                    <strong>{f.title.clone()}</strong>
                    <span class="at-stake">{per_week(f.time_per_week_ms)}</span>
                    <p>{f.detail.clone()} " — jobs:" <JobLinks ids=f.examples.clone() /></p>
                </li>
            }).collect_view()}
        </ul>
    }
}

/// The Impact section, loaded on its own so the rest of the project page never waits for it.
#[component]
pub fn ImpactSection(project_id: i64, filters: Filters) -> impl IntoView {
    let compare = filters.href(&format!("/projects/{project_id}/compare"));
    let csv = Filters {
        project: Some(project_id),
        ..filters.clone()
    }
    .href("/export/impact.csv");
    let data = Resource::new(
        move || filters.clone(),
        move |f| async move {
            get_impact(project_id, f)
                .await
                .map_err(crate::api::user_message)
        },
    );
    view! {
        <section class="impact" aria-labelledby="impact-title" data-testid="impact">
            <h2 id="impact-title">"Impact"
                <a class="data-link" href=compare>"compare periods or branches"</a>
                <a class="data-link" href=csv download="" rel="nofollow" data-testid="impact-csv">"data (CSV)"</a>
            </h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(r) => view! { <ImpactBody report=r /> }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ImpactBody(report: ImpactReport) -> impl IntoView {
    let a = report.artifacts.clone();
    view! {
        {(!report.findings.is_empty()).then(|| view! { <h3>"Findings"</h3> <FindingList findings=report.findings.clone() /> })}
        <h3>"Time accounting"</h3>
        <div class="table-wrap"><table class="data" data-testid="impact-phases">
            <thead><tr><th scope="col">"Phase"</th><th scope="col" class="num">"Per week"</th><th scope="col" class="num">"Median"</th><th scope="col" class="num">"Jobs"</th><th scope="col" class="num">"Share"</th></tr></thead>
            <tbody>{report.phases.iter().map(|p| view! {
                <tr><th scope="row">{p.phase.label()}</th>
                    <td class="num">{format!("{:.1} h", p.hours_per_week)}</td>
                    <td class="num">{maybe_duration(p.median_ms)}</td>
                    <td class="num">{p.jobs}</td>
                    <td class="num">{format!("{:.0}%", p.share * 100.0)}</td></tr>
            }).collect_view()}</tbody>
        </table></div>
        <h3>"Cache"</h3>
        <div class="table-wrap"><table class="data" data-testid="impact-caches">
            <thead><tr><th scope="col">"Key pattern"</th><th scope="col" class="num">"Keys / pipelines"</th><th scope="col" class="num">"Hit rate"</th><th scope="col">"Job: miss costs (95% CI), saved"</th><th scope="col" class="num">"Restore + archive"</th></tr></thead>
            <tbody>{report.caches.iter().map(|c| view! {
                <tr><th scope="row"><code>{c.pattern.clone()}</code></th>
                    <td class="num">{format!("{} / {}", c.distinct_keys, c.pipelines)}</td>
                    <td class="num">{percent(c.hits as i64, c.restores as i64)}</td>
                    <td>{c.jobs.iter().map(|j| view! {
                        <div>{format!("{}: {}, saves {}", j.job, with_ci(j.miss_penalty), j.saved_per_week_ms.map_or("—".to_owned(), per_week))}
                            " misses:" <JobLinks ids=j.miss_examples.clone() /></div>
                    }).collect_view()}</td>
                    <td class="num">{per_week(c.cost_per_week_ms)}</td></tr>
            }).collect_view()}</tbody>
        </table></div>
        <h3>"Artifacts"</h3>
        <dl class="tiles">
            <div><dt>"Moved"</dt><dd>{format!("{:.1} GB in {} transfers", a.bytes / 1e9, a.uploads + a.downloads)}</dd></div>
            <div><dt>"Time"</dt><dd>{maybe_duration(Some(a.time_ms))}</dd></div>
            <div><dt>"Effective rate"</dt><dd>{a.effective_mb_per_s.map_or("—".to_owned(), |r| format!("{r:.1} MB/s"))}</dd></div>
            <div><dt>"Rate without overhead"</dt><dd>{a.rate_mb_per_s.map_or("—".to_owned(), |r| format!("{r:.1} MB/s + {} each", maybe_duration(a.overhead_ms)))}</dd></div>
            <div><dt>"Share of job time"</dt><dd>{format!("{:.1}%", a.share_of_job_time * 100.0)}</dd></div>
            <div><dt>"Growth"</dt><dd>{a.growth_bytes_per_day.map_or("—".to_owned(), |g| format!("{:+.1} MB/day", g / 1e6))}</dd></div>
        </dl>
        <h3>"Docker layer caching"</h3>
        <div class="table-wrap"><table class="data" data-testid="impact-layers">
            <thead><tr><th scope="col">"Job"</th><th scope="col" class="num">"Steps cached"</th><th scope="col" class="num">"Warm median"</th><th scope="col" class="num">"Cold median"</th><th scope="col" class="num">"Cold costs"</th><th scope="col" class="num">"Warm cache would save"</th><th scope="col">"Steps that miss most"</th></tr></thead>
            <tbody>{report.layers.iter().map(|l| view! {
                <tr><th scope="row">{l.job.clone()}</th>
                    <td class="num">{percent(l.cached_steps as i64, l.steps as i64)}</td>
                    <td class="num">{with_ci(l.warm_median_ms)} <JobLinks ids=l.warm_examples.clone() /></td>
                    <td class="num">{with_ci(l.cold_median_ms)} <JobLinks ids=l.cold_examples.clone() /></td>
                    <td class="num">{with_ci(l.cold_cost)}{(!l.cold_cost_observed && l.cold_cost.is_some()).then_some(" (estimated)")}</td>
                    <td class="num">{per_week(l.warm_saving_per_week_ms)}</td>
                    <td><ul class="steps">{l.missing_steps.iter().map(|s| view! {
                        <li><code>{s.instruction.clone()}</code>{format!(" — ran {} of {}, median {}", s.misses, s.runs, maybe_duration(s.median_ms))}</li>
                    }).collect_view()}</ul></td></tr>
            }).collect_view()}</tbody>
        </table></div>
    }
}
