use leptos::prelude::*;

use crate::components::format::duration_ms;
use strata_core::model::{
    detail::PhaseSpanView,
    phase::PhaseKind,
    time::{OVERVIEW_GROUPS, PhaseTimes},
};

/// A thin bar split by phase group (queue, cache, artifacts, Docker, script, other), each
/// segment with its share as a tooltip and a text alternative for screen readers.
#[component]
pub fn PhaseShareBar(times: PhaseTimes) -> impl IntoView {
    let total = times.total_ms();
    if total == 0 {
        return view! { <span class="muted">"no analysed logs"</span> }.into_any();
    }
    let segments: Vec<(&str, &str, f64, i64)> = OVERVIEW_GROUPS
        .iter()
        .map(|(label, phases)| {
            let ms: i64 = phases.iter().map(|p| times.get(*p)).sum();
            let color = phases
                .first()
                .map(|p: &PhaseKind| p.color())
                .unwrap_or("#ccc");
            (*label, color, ms as f64 / total as f64, ms)
        })
        .filter(|(_, _, share, _)| *share > 0.0)
        .collect();
    let alt = segments
        .iter()
        .map(|(label, _, share, _)| format!("{label} {:.0}%", share * 100.0))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <div class="share-bar" role="img" aria-label=alt.clone() title=alt>
            {segments
                .into_iter()
                .map(|(label, color, share, ms)| {
                    let style = format!("width:{:.2}%;background:{color}", share * 100.0);
                    let tip = format!("{label}: {:.0}% ({})", share * 100.0, duration_ms(ms));
                    view! { <span class="share-seg" style=style title=tip data-group=label></span> }
                })
                .collect_view()}
        </div>
    }
    .into_any()
}

/// The legend for [`PhaseShareBar`].
#[component]
pub fn PhaseShareLegend() -> impl IntoView {
    view! {
        <ul class="legend" aria-label="Time split legend">
            {OVERVIEW_GROUPS
                .iter()
                .map(|(label, phases)| {
                    let color = phases.first().map(|p| p.color()).unwrap_or("#ccc");
                    view! { <li><span class="swatch" style=format!("background:{color}")></span>{*label}</li> }
                })
                .collect_view()}
        </ul>
    }
}

/// One job's phases as a bar: each runner section in its phase's colour, as wide as it
/// took, with its name and time as a tooltip and in a text alternative.
#[component]
pub fn PhaseStrip(phases: Vec<PhaseSpanView>) -> impl IntoView {
    let total: i64 = phases
        .iter()
        .map(|p| p.duration_ms.max(0))
        .sum::<i64>()
        .max(1);
    let alt = phases
        .iter()
        .map(|p| format!("{} {}", p.section, duration_ms(p.duration_ms)))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <div class="phase-strip" role="img" aria-label=alt data-testid="phase-strip">
            {phases
                .into_iter()
                .map(|p| {
                    let kind = PhaseKind::from_key(&p.phase).unwrap_or(PhaseKind::Other);
                    let width = p.duration_ms.max(0) as f64 * 100.0 / total as f64;
                    let style = format!("width:{width:.3}%;background:{}", kind.color());
                    let tip = format!("{} ({}): {}", p.section, kind.label(), duration_ms(p.duration_ms));
                    view! { <span class="strip-seg" style=style title=tip></span> }
                })
                .collect_view()}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use strata_core::model::phase::PhaseKind;

    /// The phase colours of bars and legends (CSS) are the ones charts draw with.
    #[test]
    fn the_stylesheet_uses_the_same_colours() {
        let css = include_str!("../../../style/main.css");
        for phase in PhaseKind::ALL {
            let var = format!(
                "--phase-{}: {};",
                phase.key().replace('_', "-"),
                phase.color()
            );
            assert!(css.contains(&var), "style/main.css lacks `{var}`");
        }
    }
}
