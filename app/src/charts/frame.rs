//! What every chart shares: the font, the size, the colours, and the finishing touches on the
//! SVG string.

use std::sync::Once;

use plotters::{
    coord::Shift,
    prelude::*,
    style::{
        FontStyle, register_font,
        text_anchor::{HPos, Pos, VPos},
    },
};

/// The family name charts use; `style/main.css` declares it with `@font-face`.
pub const FONT_FAMILY: &str = "Strata Inter";
static FONT: &[u8] = include_bytes!("../../public/fonts/Inter-Regular.otf");

pub const TEXT: RGBColor = RGBColor(0x1d, 0x23, 0x30);
pub const MUTED: RGBColor = RGBColor(0x5c, 0x64, 0x75);
pub const GRID: RGBColor = RGBColor(0xe9, 0xec, 0xef);
pub const ACCENT: RGBColor = RGBColor(0x3b, 0x5b, 0xdb);
pub const ACCENT_LIGHT: RGBColor = RGBColor(0x91, 0xa7, 0xff);
pub const COUNT_BARS: RGBColor = RGBColor(0xde, 0xe2, 0xe6);

/// plotters sizes text by line height; with Inter this gives a 12 px `font-size`.
pub const LABEL_SIZE: f64 = 15.5;

/// The style of axis labels and legend text.
pub fn label_font() -> TextStyle<'static> {
    (FONT_FAMILY, LABEL_SIZE).into_font().color(&MUTED)
}

/// Register the chart font with plotters, once per process.
pub fn ensure_font() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        if register_font(FONT_FAMILY, FontStyle::Normal, FONT).is_err() {
            tracing::error!(
                "the bundled chart font could not be loaded; chart text may be missing"
            );
        }
    });
}

/// A chart's drawing size in SVG user units (pixels at 100 %).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChartSize {
    pub width: u32,
    pub height: u32,
}

impl ChartSize {
    pub const WIDE: ChartSize = ChartSize {
        width: 760,
        height: 300,
    };
    pub const SQUARE: ChartSize = ChartSize {
        width: 480,
        height: 340,
    };
}

/// How a legend entry is drawn.
#[derive(Clone, Copy, Debug)]
pub enum Swatch {
    Line(RGBColor),
    Block(RGBColor),
    Dot(RGBColor),
}

/// The height of the legend strip above a chart.
pub const LEGEND_HEIGHT: u32 = 26;

/// Draw a one-line legend across `area` (the strip above the plot, so it never hides data).
pub fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(Swatch, String)],
) -> Result<(), super::ChartError>
where
    DB::ErrorType: 'static,
{
    let font = label_font().pos(Pos::new(HPos::Left, VPos::Center));
    let mut x = 62;
    let y = 13;
    for (swatch, label) in entries {
        match *swatch {
            Swatch::Line(color) => area.draw(&PathElement::new(
                vec![(x, y), (x + 16, y)],
                color.stroke_width(2),
            ))?,
            Swatch::Block(color) => area.draw(&Rectangle::new(
                [(x, y - 5), (x + 14, y + 5)],
                color.filled(),
            ))?,
            Swatch::Dot(color) => area.draw(&Circle::new((x + 7, y), 4, color.filled()))?,
        }
        area.draw(&Text::new(label.clone(), (x + 21, y), font.clone()))?;
        let (text_width, _) = area.estimate_text_size(label, &font)?;
        x += 21 + text_width as i32 + 18;
    }
    Ok(())
}

pub fn rgb((r, g, b): (u8, u8, u8)) -> RGBColor {
    RGBColor(r, g, b)
}

/// Make a plotters SVG responsive and accessible: a `viewBox` instead of fixed pixels, a
/// `role`, and a `<title>`/`<desc>` pair, with the tooltip layer appended last (on top).
pub fn finish_svg(
    svg: String,
    size: ChartSize,
    title: &str,
    description: &str,
    tips: &str,
) -> String {
    let Some(open_end) = svg.find('>') else {
        return svg;
    };
    let body = &svg[open_end + 1..];
    let body = body.trim_end().strip_suffix("</svg>").unwrap_or(body);
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" class="chart-svg" font-family="{FONT_FAMILY}"><title>{t}</title><desc>{d}</desc>{body}{tips}</svg>"#,
        w = size.width,
        h = size.height,
        t = escape_xml(title),
        d = escape_xml(description),
    )
}

/// Escape text for SVG/HTML content and attribute values.
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// The text of every `<text>` element, trimmed (plotters puts it on its own line).
#[cfg(test)]
pub fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|part| {
            let start = part.find('>')? + 1;
            let end = part.find("</text>")?;
            Some(part.get(start..end)?.trim().to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_control_characters() {
        assert_eq!(
            escape_xml("<script>alert('x')</script>\u{1b}&\"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;y&quot;"
        );
    }

    #[test]
    fn finishing_adds_view_box_title_and_tips() {
        let svg = r#"<svg width="10" height="10" viewBox="0 0 10 10" xmlns="http://www.w3.org/2000/svg"><rect/></svg>"#;
        let done = finish_svg(
            svg.into(),
            ChartSize {
                width: 10,
                height: 10,
            },
            "T<",
            "D",
            "<g class=\"tips\"/>",
        );
        assert!(
            done.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"")
        );
        assert!(
            done.contains("<title>T&lt;</title><desc>D</desc><rect/><g class=\"tips\"/></svg>")
        );
    }
}
