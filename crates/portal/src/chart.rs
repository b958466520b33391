//! Bar charts as SVG, drawn on the server. A module of our own rather than a plotting crate:
//! the portal needs one chart shape (labelled bars, optionally two series), and a few dozen
//! lines keep the build light. Every label is escaped here; each bar has a `<title>` so a
//! screen reader and a hover both give the exact value.

/// One bar: its label (x axis), its value and the text of its exact value.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    /// A second series drawn over the first (refusals over attempts); 0 when none.
    pub over: i64,
    pub text: String,
}

/// Width and height of the drawing, in SVG units (it scales to its box).
pub const WIDTH: i64 = 720;
pub const HEIGHT: i64 = 220;
const LEFT: i64 = 96;
const BOTTOM: i64 = 40;
const TOP: i64 = 12;

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Widest bar, SVG units (one or two bars should not fill the plot).
const MAX_BAR_W: i64 = 48;

/// A bar chart titled `title` (also its accessible name); `axis` writes the top of the value
/// axis (money in major units, say). Values below zero draw as zero.
pub fn bars(
    title: &str,
    bars: &[Bar],
    legend: Option<(&str, &str)>,
    axis: &dyn Fn(i64) -> String,
) -> String {
    let max = bars
        .iter()
        .map(|b| b.value.max(b.over))
        .max()
        .unwrap_or(0)
        .max(1);
    let plot_w = WIDTH - LEFT - 8;
    let plot_h = HEIGHT - BOTTOM - TOP;
    let n = i64::try_from(bars.len()).unwrap_or(1).max(1);
    let slot = plot_w / n;
    let bar_w = (slot * 3 / 4).clamp(1, MAX_BAR_W);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{t}\" class=\"chart\">\
         <title>{t}</title>\
         <line x1=\"{LEFT}\" y1=\"{y0}\" x2=\"{WIDTH}\" y2=\"{y0}\" class=\"axis\"/>\
         <text x=\"{lx}\" y=\"{ty}\" class=\"tick\" text-anchor=\"end\">{top}</text>\
         <text x=\"{lx}\" y=\"{y0}\" class=\"tick\" text-anchor=\"end\">0</text>",
        t = escape(title),
        y0 = TOP + plot_h,
        lx = LEFT - 6,
        ty = TOP + 10,
        top = escape(&axis(max)),
    );
    let label_every = (n / 12).max(1);
    for (i, b) in bars.iter().enumerate() {
        let i = i64::try_from(i).unwrap_or(0);
        let x = LEFT + i * slot + (slot - bar_w) / 2;
        let h = b.value.max(0) * plot_h / max;
        let y = TOP + plot_h - h;
        svg.push_str(&format!(
            "<rect x=\"{x}\" y=\"{y}\" width=\"{bar_w}\" height=\"{h}\" class=\"bar\"><title>{l}: {t}</title></rect>",
            l = escape(&b.label),
            t = escape(&b.text),
        ));
        if b.over > 0 {
            let ho = b.over * plot_h / max;
            svg.push_str(&format!(
                "<rect x=\"{x}\" y=\"{yo}\" width=\"{bar_w}\" height=\"{ho}\" class=\"bar over\"/>",
                yo = TOP + plot_h - ho,
            ));
        }
        if i % label_every == 0 {
            svg.push_str(&format!(
                "<text x=\"{cx}\" y=\"{ly}\" class=\"tick\" text-anchor=\"middle\">{l}</text>",
                cx = x + bar_w / 2,
                ly = HEIGHT - BOTTOM + 16,
                l = escape(&b.label),
            ));
        }
    }
    if let Some((first, second)) = legend {
        svg.push_str(&format!(
            "<rect x=\"{LEFT}\" y=\"{ly}\" width=\"10\" height=\"10\" class=\"bar\"/>\
             <text x=\"{a}\" y=\"{ty}\" class=\"tick\">{first}</text>\
             <rect x=\"{b}\" y=\"{ly}\" width=\"10\" height=\"10\" class=\"bar over\"/>\
             <text x=\"{c}\" y=\"{ty}\" class=\"tick\">{second}</text>",
            ly = HEIGHT - 14,
            ty = HEIGHT - 5,
            a = LEFT + 14,
            b = LEFT + 160,
            c = LEFT + 174,
            first = escape(first),
            second = escape(second),
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// The figures of a chart as a table: each bar's label and its exact value.
pub fn table(caption: &str, bars: &[Bar]) -> crate::view::Table {
    let mut t = crate::view::Table::new(caption, &["", "Value"], "No figure.");
    for b in bars {
        t.row(vec![
            crate::view::Cell::text(b.label.clone()),
            crate::view::Cell::text(b.text.clone()),
        ]);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tallest_bar_fills_the_plot_and_labels_are_escaped() {
        let b = |label: &str, value| Bar {
            label: label.into(),
            value,
            over: 0,
            text: format!("{value} calls"),
        };
        let svg = bars("Calls <per day>", &[b("a<b", 10), b("c", 5)], None, &|v| {
            v.to_string()
        });
        // Plot height = 220 - 40 - 12 = 168: the bar of 10 is 168 high, the bar of 5 is 84.
        assert!(svg.contains("height=\"168\""), "{svg}");
        assert!(svg.contains("height=\"84\""), "{svg}");
        assert!(svg.contains("Calls &lt;per day&gt;"));
        assert!(svg.contains("a&lt;b: 10 calls"));
        assert!(!svg.contains("a<b"));
    }
}
