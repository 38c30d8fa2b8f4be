//! Charts, drawn on the server by plotters as SVG strings (no chart JavaScript in the page).
//!
//! Text is laid out with the Inter font shipped in `app/public/fonts` (registered with
//! plotters' pure-Rust ab_glyph backend, never a system font lookup) and the page loads the
//! same file through `@font-face`, so labels measure and render the same on every machine.
//! Every mark gets a `<title>` tooltip through [`tips::Tips`], and every chart a `<title>` and
//! `<desc>` for screen readers.

pub mod axis;
pub mod daily;
pub mod frame;
pub mod gantt;
pub mod histogram;
pub mod rate;
pub mod scatter;
pub mod stacked;
pub mod tips;

pub use frame::ChartSize;

/// A chart could not be drawn (plotters failed); the page shows the message instead.
#[derive(Debug, thiserror::Error)]
#[error("chart could not be drawn: {0}")]
pub struct ChartError(String);

impl<E: std::error::Error + Send + Sync> From<plotters::drawing::DrawingAreaErrorKind<E>>
    for ChartError
{
    fn from(err: plotters::drawing::DrawingAreaErrorKind<E>) -> Self {
        ChartError(err.to_string())
    }
}
