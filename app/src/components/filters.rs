//! The filter bar every page carries, and the hook that reads filters from the URL.
//!
//! Filters live only in the URL: links can be shared, back/forward restores them, and the
//! server renders the same page the browser would. Pages are rendered on the server only;
//! the bar's form is the one island the browser hydrates. Before hydration (or without
//! JavaScript) the period chips are links and the form a plain GET; once hydrated, the form
//! checks its dates and goes to the canonical URL of what was chosen (no empty parameters,
//! the page's job and project kept).

use leptos::{ev::SubmitEvent, prelude::*};
use leptos_router::hooks::{use_location, use_query_map};

use strata_core::model::{
    Period,
    filters::{FilterError, Filters, STATUSES, Window, format_day},
};

/// The filters in the current URL, or why they cannot be used.
pub fn use_filters() -> Memo<Result<Filters, FilterError>> {
    let query = use_query_map();
    Memo::new(move |_| {
        let map = query.read();
        Filters::from_pairs(map.latest_values().map(|(k, v)| (k.as_ref(), v)))
    })
}

/// Sources GitLab starts pipelines from, for the source picker.
const SOURCES: [&str; 9] = [
    "push",
    "merge_request_event",
    "schedule",
    "web",
    "api",
    "trigger",
    "pipeline",
    "parent_pipeline",
    "external",
];

/// The bar for the page being rendered: its path and filters handed to the island.
#[component]
pub fn FilterBar(#[prop(into)] filters: Signal<Filters>) -> impl IntoView {
    let path = use_location().pathname.get_untracked();
    // Type-erased: the island's view type is deep enough to exceed the pages' recursion limit.
    view! { <FilterControls filters=filters.get_untracked() path=path /> }.into_any()
}

/// Period chips and the filter form (an island: compiled to wasm, props sent as JSON).
#[island]
fn FilterControls(filters: Filters, path: String) -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    let on_submit = {
        let (filters, path) = (filters.clone(), path.clone());
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let Some(pairs) = ev.target().and_then(|t| form_pairs(&t)) else {
                return;
            };
            match chosen(&filters, &pairs) {
                Ok(next) => {
                    problem.set(None);
                    go_to(&next.href(&path));
                }
                Err(e) => problem.set(Some(e.to_string())),
            }
        }
    };
    let (from, to) = match filters.window {
        Window::Days { from, to } => (format_day(from), format_day(to)),
        Window::Last(_) => (String::new(), String::new()),
    };
    let period = match filters.window {
        Window::Last(p) if p != Period::default() => p.as_param().to_owned(),
        _ => String::new(),
    };
    view! {
        <div class="filter-bar">
            <nav class="period-picker" aria-label="Period">
                {Period::ALL
                    .into_iter()
                    .map(|p| {
                        let active = filters.window == Window::Last(p);
                        view! {
                            <a
                                href=filters.with_window(Window::Last(p)).href(&path)
                                class=if active { "chip active" } else { "chip" }
                                aria-current=active.then_some("true")
                                data-period=p.as_param()
                            >
                                {p.short_label()}
                            </a>
                        }
                    })
                    .collect_view()}
            </nav>
            <form class="filter-form" method="get" on:submit=on_submit>
                <input type="hidden" name="period" value=period />
                <label>"From " <input type="date" name="from" value=from /></label>
                <label>"To " <input type="date" name="to" value=to /></label>
                <label>"Branch " <input type="text" name="ref" placeholder="any" value=filters.git_ref.clone().unwrap_or_default() /></label>
                <label>"Source "
                    <select name="source">
                        <option value="" selected=filters.source.is_none()>"any"</option>
                        {SOURCES.iter().map(|s| view! {
                            <option value=*s selected=filters.source.as_deref() == Some(*s)>{*s}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>"Status "
                    <select name="status" data-testid="status-filter">
                        <option value="" selected=filters.status.is_none()>"any"</option>
                        {STATUSES.iter().map(|s| view! {
                            <option value=*s selected=filters.status.as_deref() == Some(*s)>{*s}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit">"Apply"</button>
                <p class="error filter-problem" role="alert" data-testid="filter-problem" hidden=move || problem.get().is_none()>
                    {move || problem.get()}
                </p>
            </form>
        </div>
    }
}

/// What the form asks for. Dates typed in win over the hidden preset period (as they do in a
/// URL); what the form does not show (job name, project) is kept from the page.
fn chosen(current: &Filters, pairs: &[(String, String)]) -> Result<Filters, FilterError> {
    let mut next = Filters::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    next.job = next.job.or_else(|| current.job.clone());
    next.project = next.project.or(current.project);
    Ok(next)
}

/// The form's fields as `(name, value)` pairs (browser only).
#[cfg(feature = "hydrate")]
fn form_pairs(target: &web_sys::EventTarget) -> Option<Vec<(String, String)>> {
    use wasm_bindgen::JsCast;
    let form: web_sys::HtmlFormElement = target.clone().dyn_into().ok()?;
    let data = web_sys::FormData::new_with_form(&form).ok()?;
    let mut pairs = Vec::new();
    let entries = js_sys::try_iter(&data.entries()).ok()??;
    for entry in entries.flatten() {
        let entry: js_sys::Array = entry.dyn_into().ok()?;
        let (Some(key), Some(value)) = (entry.get(0).as_string(), entry.get(1).as_string()) else {
            continue;
        };
        pairs.push((key, value));
    }
    Some(pairs)
}

#[cfg(not(feature = "hydrate"))]
fn form_pairs<T>(_target: &T) -> Option<Vec<(String, String)>> {
    None
}

/// A full page load: every page is rendered on the server.
fn go_to(href: &str) {
    let _ = window().location().assign(href);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn empty_fields_leave_a_canonical_url() {
        let current = Filters::default();
        let form = pairs(&[
            ("period", "7d"),
            ("from", ""),
            ("to", ""),
            ("ref", ""),
            ("source", ""),
            ("status", "success"),
        ]);
        assert_eq!(
            chosen(&current, &form).unwrap().href("/p"),
            "/p?period=7d&status=success"
        );
    }

    #[test]
    fn typed_dates_replace_the_preset_period() {
        let current = Filters::default();
        let form = pairs(&[
            ("period", "90d"),
            ("from", "2026-10-01"),
            ("to", "2026-10-15"),
        ]);
        assert_eq!(
            chosen(&current, &form).unwrap().href("/"),
            "/?from=2026-10-01&to=2026-10-15"
        );
    }

    #[test]
    fn the_page_job_and_project_are_kept() {
        let current = Filters {
            job: Some("build image".into()),
            project: Some(7),
            ..Filters::default()
        };
        let next = chosen(&current, &pairs(&[("ref", "main")])).unwrap();
        assert_eq!(
            (next.job.as_deref(), next.project, next.git_ref.as_deref()),
            (Some("build image"), Some(7), Some("main"))
        );
    }

    #[test]
    fn dates_in_the_wrong_order_are_refused_with_a_reason() {
        let form = pairs(&[("from", "2026-10-15"), ("to", "2026-10-01")]);
        let err = chosen(&Filters::default(), &form).unwrap_err();
        assert_eq!(err.to_string(), "invalid `from`: must not be after `to`");
    }
}
