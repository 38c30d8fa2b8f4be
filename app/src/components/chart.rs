use leptos::prelude::*;

use strata_core::model::project::ChartView;

/// A server-drawn chart: the SVG, its title, and the CSV behind it.
#[component]
pub fn ChartFigure(chart: ChartView) -> impl IntoView {
    view! {
        <figure class="chart" id=format!("chart-{}", chart.id) data-chart=chart.id.clone()>
            <figcaption>
                <span class="chart-title">{chart.title.clone()}</span>
                <a class="data-link" href=chart.csv_href.clone() download="" rel="nofollow">"data (CSV)"</a>
            </figcaption>
            <div class="chart-scroll" inner_html=chart.svg></div>
        </figure>
    }
}
