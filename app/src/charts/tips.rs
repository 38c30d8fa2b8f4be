//! Tooltips for chart marks. plotters draws the marks; this records, for each one, where it
//! landed on the canvas and what it means, and emits an invisible layer of shapes with
//! `<title>` children on top, so hovering (or a screen reader) gives the exact value.

use std::fmt::Write;

use super::frame::escape_xml;

#[derive(Default)]
pub struct Tips {
    svg: String,
}

impl Tips {
    /// A tooltip over the rectangle with corners `(x0, y0)` and `(x1, y1)` in pixels.
    pub fn rect(&mut self, (x0, y0): (i32, i32), (x1, y1): (i32, i32), text: &str) {
        let (left, right) = (x0.min(x1), x0.max(x1));
        let (top, bottom) = (y0.min(y1), y0.max(y1));
        let _ = write!(
            self.svg,
            r#"<rect x="{left}" y="{top}" width="{}" height="{}"><title>{}</title></rect>"#,
            (right - left).max(2),
            (bottom - top).max(2),
            escape_xml(text)
        );
    }

    /// A tooltip around a point (a line's vertex, a scatter dot).
    pub fn point(&mut self, (x, y): (i32, i32), text: &str) {
        let _ = write!(
            self.svg,
            r#"<circle cx="{x}" cy="{y}" r="6"><title>{}</title></circle>"#,
            escape_xml(text)
        );
    }

    pub fn len(&self) -> usize {
        self.svg.matches("<title>").count()
    }

    pub fn is_empty(&self) -> bool {
        self.svg.is_empty()
    }

    /// The layer, transparent but hoverable.
    pub fn into_layer(self) -> String {
        if self.svg.is_empty() {
            return String::new();
        }
        format!(
            r#"<g class="tips" fill="transparent" stroke="none">{}</g>"#,
            self.svg
        )
    }
}
