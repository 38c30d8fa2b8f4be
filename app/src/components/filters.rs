//! The filter bar every page carries, and the hook that reads filters from the URL.
//!
//! Filters live only in the URL: links can be shared, back/forward restores them, and the
//! server renders the same page the browser would. After hydration the router swaps data
//! without reloading; before it (or without JavaScript) the form is a plain GET.

use leptos::{ev::SubmitEvent, prelude::*};
use leptos_router::{
    NavigateOptions,
    components::A,
    hooks::{use_location, use_navigate, use_query_map},
};

use crate::model::{
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

#[component]
pub fn FilterBar(#[prop(into)] filters: Signal<Filters>) -> impl IntoView {
    let location = use_location();
    let navigate = use_navigate();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(form) = ev.target().and_then(|t| wasm_form_pairs(&t)) else {
            return;
        };
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let mut next = match Filters::from_pairs(pairs) {
            Ok(f) => f,
            Err(_) => filters.get_untracked(),
        };
        // Keep what the form does not show (job name, project).
        let current = filters.get_untracked();
        next.job = next.job.or(current.job);
        next.project = next.project.or(current.project);
        navigate(
            &next.href(&location.pathname.get_untracked()),
            NavigateOptions::default(),
        );
    };

    view! {
        <div class="filter-bar">
            <nav class="period-picker" aria-label="Period">
                {Period::ALL
                    .into_iter()
                    .map(|period| {
                        let href = move || filters.get().with_window(Window::Last(period)).href(&location.pathname.get());
                        let active = move || filters.get().window == Window::Last(period);
                        view! {
                            <A
                                href=href
                                attr:class=move || if active() { "chip active" } else { "chip" }
                                attr:aria-current=move || active().then_some("true")
                                attr:data-period=period.as_param()
                            >
                                {period.short_label()}
                            </A>
                        }
                    })
                    .collect_view()}
            </nav>
            <form class="filter-form" method="get" on:submit=on_submit>
                {move || {
                    let f = filters.get();
                    let (from, to) = match f.window {
                        Window::Days { from, to } => (format_day(from), format_day(to)),
                        Window::Last(_) => (String::new(), String::new()),
                    };
                    let period = match f.window {
                        Window::Last(p) if p != Period::default() => p.as_param().to_owned(),
                        _ => String::new(),
                    };
                    view! {
                        <input type="hidden" name="period" value=period />
                        <label>"From " <input type="date" name="from" value=from /></label>
                        <label>"To " <input type="date" name="to" value=to /></label>
                        <label>"Branch " <input type="text" name="ref" placeholder="any" value=f.git_ref.clone().unwrap_or_default() /></label>
                        <label>"Source "
                            <select name="source">
                                <option value="" selected=f.source.is_none()>"any"</option>
                                {SOURCES.iter().map(|s| view! {
                                    <option value=*s selected=f.source.as_deref() == Some(*s)>{*s}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <label>"Status "
                            <select name="status" data-testid="status-filter">
                                <option value="" selected=f.status.is_none()>"any"</option>
                                {STATUSES.iter().map(|s| view! {
                                    <option value=*s selected=f.status.as_deref() == Some(*s)>{*s}</option>
                                }).collect_view()}
                            </select>
                        </label>
                    }
                }}
                <button type="submit">"Apply"</button>
            </form>
        </div>
    }
}

/// The form's fields as `(name, value)` pairs (browser only).
#[cfg(feature = "hydrate")]
fn wasm_form_pairs(target: &web_sys::EventTarget) -> Option<Vec<(String, String)>> {
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
fn wasm_form_pairs<T>(_target: &T) -> Option<Vec<(String, String)>> {
    None
}
