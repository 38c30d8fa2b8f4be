use leptos::prelude::*;

use strata_core::model::SetupStatus;

/// What a new user sees before any data arrives: the three ways to load some.
#[component]
pub fn EmptyState(setup: SetupStatus) -> impl IntoView {
    let gitlab = setup
        .gitlab_url
        .clone()
        .unwrap_or_else(|| "https://gitlab.example.com".into());
    view! {
        <section class="empty-state" aria-labelledby="empty-title">
            <h2 id="empty-title">"No pipelines yet"</h2>
            <p>"Strata has no projects to show. Load data in one of three ways:"</p>
            <ol class="how-to">
                <li>
                    <h3>"Try the demo"</h3>
                    <p>"Generates 90 days of pipelines from a built-in fake GitLab:"</p>
                    <pre><code>"strata demo"</code></pre>
                </li>
                <li>
                    <h3>"Sync from GitLab"</h3>
                    <p>"Backfills history through the REST API (token scope " <code>"read_api"</code> "):"</p>
                    <pre><code>{format!("GITLAB_URL={gitlab} GITLAB_TOKEN=… strata sync --project group/name")}</code></pre>
                    {(!setup.gitlab_token).then(|| view! {
                        <p class="hint">"No " <code>"GITLAB_TOKEN"</code> " is set: without one Strata cannot read job logs, so phase details stay empty."</p>
                    })}
                </li>
                <li>
                    <h3>"Receive webhooks"</h3>
                    <p>"In GitLab, add a webhook to " <code>"/webhooks/gitlab"</code> " for pipeline and job events, with a secret token equal to " <code>"STRATA_WEBHOOK_SECRET"</code> "."</p>
                    {(!setup.webhook_secret).then(|| view! {
                        <p class="hint">"No " <code>"STRATA_WEBHOOK_SECRET"</code> " is set: webhooks are refused until one is."</p>
                    })}
                </li>
            </ol>
        </section>
    }
}
