//! The HTML document and the router: every page Strata serves hangs off [`App`].

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

use crate::{
    components::nav::NavBar,
    pages::{
        compare::CompareView, job::JobView, job_name::JobNameView, not_found::NotFound,
        overview::OverviewPage, pipeline::PipelineView, project::ProjectView,
    },
};

/// The document around the app. Pages are rendered on the server only (Leptos islands
/// mode): the browser loads wasm for the few interactive parts marked `#[island]`.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="description" content="Strata: where GitLab CI build time goes" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <AutoReload options=options.clone() />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="strata-css" href="/pkg/strata.css" />
        <Title formatter=|page: String| {
            if page.is_empty() { "Strata".to_owned() } else { format!("{} · Strata", title_text(&page)) }
        } />
        <Router>
            <NavBar />
            <main class="page">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=OverviewPage ssr=SsrMode::Async />
                    <Route path=path!("/projects/:id") view=ProjectView ssr=SsrMode::Async />
                    <Route path=path!("/projects/:id/compare") view=CompareView ssr=SsrMode::Async />
                    // A wildcard, so job names with `/` in them still match.
                    <Route path=path!("/projects/:id/jobs/*name") view=JobNameView ssr=SsrMode::Async />
                    <Route path=path!("/pipelines/:id") view=PipelineView ssr=SsrMode::Async />
                    <Route path=path!("/jobs/:id") view=JobView ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
}

/// Page titles carry user data (job names, paths). leptos_meta writes the title into the
/// server-rendered `<title>` unescaped, where a `</title>` in a job name would end the
/// element; angle brackets become look-alikes there (and, for consistency, after hydration).
fn title_text(text: &str) -> String {
    text.replace('<', "\u{2039}").replace('>', "\u{203a}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn titles_cannot_close_their_element() {
        assert_eq!(
            super::title_text("</title><script>x</script>"),
            "\u{2039}/title\u{203a}\u{2039}script\u{203a}x\u{2039}/script\u{203a}"
        );
    }
}
