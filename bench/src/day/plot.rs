//! The day's graph: one SVG (plotters) with a panel per figure against the minute of the
//! run, the broker's and the controller's restarts marked in red.

use super::verdict::Minute;
use plotters::prelude::*;

/// A green that reads on white.
const DARK_GREEN: RGBColor = RGBColor(0, 140, 0);
use std::path::Path;

type Line = (&'static str, fn(&Minute) -> f64, RGBColor);

pub(crate) fn svg(
    path: &Path,
    title: &str,
    minutes: &[Minute],
    restarts_min: &[f64],
) -> anyhow::Result<()> {
    let panels: [(&str, Vec<Line>); 5] = [
        ("RSS (MB)", vec![("hallq RSS", |m| m.sample.rss_mb, BLUE)]),
        (
            "open file descriptors",
            vec![("fds", |m| m.sample.fds as f64, BLUE)],
        ),
        (
            "database and WAL (MB)",
            vec![
                ("database", |m| m.sample.db_mb, BLUE),
                ("WAL", |m| m.sample.wal_mb, DARK_GREEN),
            ],
        ),
        (
            "outbox backlog (events, max of the minute)",
            vec![("unsent", |m| m.outbox_max as f64, BLUE)],
        ),
        (
            "p99 latency (ms)",
            vec![
                ("tickets", |m| m.ticket_p99_ms, BLUE),
                ("calls", |m| m.call_p99_ms, DARK_GREEN),
            ],
        ),
    ];
    let err = |e: &dyn std::fmt::Debug| anyhow::anyhow!("plot: {e:?}");
    let root = SVGBackend::new(path, (960, 1300)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let (top, rest) = root.split_vertically(40);
    top.draw(&Text::new(title.to_string(), (10, 10), ("sans-serif", 20)))
        .map_err(|e| err(&e))?;
    let xmax = minutes.len().max(1) as f64;
    for (area, (name, lines)) in rest.split_evenly((panels.len(), 1)).iter().zip(panels) {
        let ymax = minutes
            .iter()
            .flat_map(|m| lines.iter().map(move |(_, f, _)| f(m)))
            .fold(0.0_f64, f64::max)
            .max(1.0)
            * 1.15;
        let mut chart = ChartBuilder::on(area)
            .caption(name, ("sans-serif", 16))
            .margin(8)
            .x_label_area_size(28)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..xmax, 0.0..ymax)
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .x_desc("minute of the run")
            .max_light_lines(0)
            .draw()
            .map_err(|e| err(&e))?;
        for r in restarts_min {
            chart
                .draw_series(LineSeries::new([(*r, 0.0), (*r, ymax)], RED))
                .map_err(|e| err(&e))?;
        }
        for (label, f, color) in lines {
            chart
                .draw_series(LineSeries::new(
                    minutes.iter().map(|m| (m.minute as f64, f(m))),
                    color.stroke_width(2),
                ))
                .map_err(|e| err(&e))?
                .label(label)
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], color));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .border_style(BLACK)
            .background_style(WHITE)
            .draw()
            .map_err(|e| err(&e))?;
    }
    root.present().map_err(|e| err(&e))?;
    Ok(())
}
