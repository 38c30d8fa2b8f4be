use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_location};

use crate::model::Period;

/// Links that switch the reporting period. The period lives in the URL (`?period=7d`), so a
/// link can be shared and back/forward restores it; after hydration the router swaps the data
/// without reloading the page.
#[component]
pub fn PeriodPicker(#[prop(into)] current: Signal<Period>) -> impl IntoView {
    let location = use_location();
    view! {
        <nav class="period-picker" aria-label="Period">
            {Period::ALL
                .into_iter()
                .map(|period| {
                    let href = move || format!("{}?period={}", location.pathname.get(), period);
                    let active = move || current.get() == period;
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
    }
}
