use leptos::prelude::*;
use leptos_router::components::A;

/// The bar at the top of every page.
#[component]
pub fn NavBar() -> impl IntoView {
    view! {
        <header class="topbar">
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">"▤"</span>
                " Strata"
            </A>
            <nav aria-label="Main">
                <A href="/">"Projects"</A>
            </nav>
        </header>
    }
}
