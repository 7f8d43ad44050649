//! The page's charts, drawn as inline SVG by hand. Readable without colour: marker shapes,
//! hatching, dashed reference lines and text labels carry the meaning; every chart has a
//! `<title>` and `<desc>` and every mark a `<title>` tooltip. Coordinates are printed with one
//! decimal, so the output is deterministic.

use std::collections::BTreeMap;

use actledger_core::outcome::Outcome;
use actledger_core::projection::supporters::SupporterList;
use actledger_core::projection::veto_initiative::{VetoInitiativeReport, VetoStatus};
use actledger_core::projection::votes::VoteOutcome;
use actledger_core::projection::Precision;
use actledger_core::{Date, StateCode};

use super::{escape, Esc};

const INK: &str = "#1b1b1b";
const ACCENT: &str = "#1f4e79";
const GRID: &str = "#d9d9d9";

/// A coordinate with one decimal.
fn n(x: f64) -> String {
    let v = if x.abs() < 0.05 { 0.0 } else { x };
    format!("{v:.1}")
}

fn jd(d: Date) -> i64 {
    i64::from(d.as_time().to_julian_day())
}

fn jan1(year: i32) -> Option<Date> {
    Date::from_ymd(year, 1, 1).ok()
}

/// A linear day scale from `[d0, d1]` (Julian days) to `[x0, x1]`.
struct DayScale {
    d0: i64,
    d1: i64,
    x0: f64,
    x1: f64,
}

impl DayScale {
    fn x(&self, d: Date) -> f64 {
        self.xj(jd(d))
    }
    fn xj(&self, j: i64) -> f64 {
        let span = (self.d1 - self.d0).max(1) as f64;
        self.x0 + (j - self.d0) as f64 / span * (self.x1 - self.x0)
    }
    /// Year ticks (1 January) inside the domain, thinned to at most 14.
    fn year_ticks(&self, first: i32, last: i32) -> Vec<(i32, f64)> {
        let years: Vec<i32> = (first..=last)
            .filter(|y| jan1(*y).is_some_and(|d| (self.d0..=self.d1).contains(&jd(d))))
            .collect();
        let step = years.len().div_ceil(14).max(1);
        years
            .iter()
            .enumerate()
            .filter(|(i, _)| i % step == 0)
            .filter_map(|(_, y)| jan1(*y).map(|d| (*y, self.x(d))))
            .collect()
    }
}

/// Opening tag, title and description of a chart.
fn open_svg(id: &str, w: f64, h: f64, title: &str, desc: &str) -> String {
    format!(
        "<svg id=\"{id}\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" \
         role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" preserveAspectRatio=\"xMinYMin meet\">\n\
         <title id=\"{id}-title\">{}</title>\n<desc id=\"{id}-desc\">{}</desc>\n",
        n(w),
        n(h),
        escape(title),
        escape(desc)
    )
}

fn empty_svg(id: &str, title: &str, message: &str) -> String {
    let mut s = open_svg(id, 960.0, 80.0, title, message);
    s.push_str(&format!(
        "<text x=\"20\" y=\"45\" class=\"label\">{}</text>\n</svg>\n",
        escape(message)
    ));
    s
}

/// The x axis along `y`: a baseline, year ticks and labels.
fn year_axis(out: &mut String, scale: &DayScale, y: f64, top: f64, first: i32, last: i32) {
    out.push_str(&format!(
        "<g class=\"axis x\" aria-hidden=\"true\">\n<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{INK}\"/>\n",
        n(scale.x0),
        n(y),
        n(scale.x1),
        n(y)
    ));
    for (year, x) in scale.year_ticks(first, last) {
        out.push_str(&format!(
            "<line x1=\"{x}\" y1=\"{top}\" x2=\"{x}\" y2=\"{y}\" stroke=\"{GRID}\" stroke-width=\"0.6\"/>\
             <line x1=\"{x}\" y1=\"{y}\" x2=\"{x}\" y2=\"{y6}\" stroke=\"{INK}\"/>\
             <text x=\"{x}\" y=\"{y20}\" text-anchor=\"middle\" class=\"tick\">{year}</text>\n",
            x = n(x),
            top = n(top),
            y = n(y),
            y6 = n(y + 6.0),
            y20 = n(y + 20.0),
        ));
    }
    out.push_str("</g>\n");
}

fn diamond(x: f64, y: f64, s: f64) -> String {
    format!(
        "M{} {}L{} {}L{} {}L{} {}Z",
        n(x),
        n(y - s),
        n(x + s),
        n(y),
        n(x),
        n(y + s),
        n(x - s),
        n(y)
    )
}

/// The legend marker used in the supporter chart's caption.
pub(super) fn legend_marker(exact: bool) -> String {
    let shape = if exact {
        format!("<circle cx=\"7\" cy=\"7\" r=\"4\" fill=\"{INK}\"/>")
    } else {
        format!(
            "<path d=\"{}\" fill=\"#fff\" stroke=\"{INK}\" stroke-width=\"1.6\"/>",
            diamond(7.0, 7.0, 5.5)
        )
    };
    format!(
        "<svg class=\"legend\" width=\"14\" height=\"14\" viewBox=\"0 0 14 14\" aria-hidden=\"true\">{shape}</svg>"
    )
}

/// A "nice" tick step for a maximum value, with at most six steps.
fn nice_step(max: usize) -> usize {
    [
        1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000,
    ]
    .into_iter()
    .find(|s| max.div_ceil(*s) <= 6)
    .unwrap_or(max.div_ceil(6).max(1))
}

/// Cumulative supporters by adherence date: a step line, a filled circle for days with an
/// exact letter date, an open diamond for days with a "listed by" date.
pub(super) fn supporter_chart(list: &SupporterList, reference: Option<Date>) -> String {
    const ID: &str = "supporters-chart";
    const TITLE: &str = "Supporters of the ACT Code of Conduct over time";
    let mut by_day: BTreeMap<Date, (usize, usize)> = BTreeMap::new();
    for s in &list.supporters {
        let e = by_day.entry(s.date).or_default();
        match s.precision {
            Precision::Exact => e.0 += 1,
            Precision::ListedBy => e.1 += 1,
        }
    }
    let (Some((&first, _)), Some((&last, _))) = (by_day.first_key_value(), by_day.last_key_value())
    else {
        return empty_svg(ID, TITLE, "No supporter is recorded.");
    };
    let total = list.count;
    let (w, h, ml, mr, mt, mb) = (960.0, 330.0, 56.0, 150.0, 30.0, 46.0);
    let start = jan1(first.year()).unwrap_or(first);
    let end = reference.map_or(last, |r| r.max(last));
    let d1 = jd(end).max(jd(start) + 365);
    let scale = DayScale {
        d0: jd(start),
        d1,
        x0: ml,
        x1: w - mr,
    };
    let step = nice_step(total.max(1));
    let ymax = (total.max(1).div_ceil(step) * step).max(step) as f64;
    let y = |c: usize| mt + (h - mt - mb) * (1.0 - c as f64 / ymax);
    let end_year = first.year() + i32::try_from((d1 - jd(start)) / 365).unwrap_or(0) + 1;

    let desc = format!(
        "Step chart. {total} supporters recorded, the first on {first}, the last on {last}. {}",
        by_day
            .iter()
            .scan(0usize, |acc, (d, (e, l))| {
                *acc += e + l;
                Some(format!("{d}: {acc}"))
            })
            .collect::<Vec<_>>()
            .join("; ")
    );
    let mut s = open_svg(ID, w, h, TITLE, &desc);

    // Y axis and grid.
    s.push_str("<g class=\"axis y\" aria-hidden=\"true\">\n");
    let mut v = 0;
    while v as f64 <= ymax {
        s.push_str(&format!(
            "<line x1=\"{}\" y1=\"{yy}\" x2=\"{}\" y2=\"{yy}\" stroke=\"{GRID}\" stroke-width=\"0.6\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"tick\">{v}</text>\n",
            n(ml),
            n(w - mr),
            n(ml - 8.0),
            n(y(v) + 4.0),
            yy = n(y(v)),
        ));
        v += step;
    }
    s.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" class=\"axis-title\">supporters</text>\n</g>\n",
        n(ml - 44.0),
        n(mt - 12.0)
    ));
    year_axis(&mut s, &scale, y(0), mt, first.year(), end_year);

    // The launch of the Code, 23 October 2015.
    if let Ok(launch) = Date::from_ymd(2015, 10, 23) {
        if (jd(start)..=d1).contains(&jd(launch)) {
            let x = scale.x(launch);
            s.push_str(&format!(
                "<g class=\"annotation\"><line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{INK}\" stroke-dasharray=\"3 3\"/>\
                 <text x=\"{}\" y=\"{}\" class=\"label\">Code launched, 23 Oct 2015</text></g>\n",
                n(mt),
                n(y(0)),
                n(x + 6.0),
                n(y(0) - 10.0),
                x = n(x),
            ));
        }
    }

    // The step line.
    let mut path = format!("M{} {}", n(scale.x0), n(y(0)));
    let mut acc = 0;
    let mut points = Vec::new();
    for (d, (e, l)) in &by_day {
        acc += e + l;
        path.push_str(&format!("H{}V{}", n(scale.x(*d)), n(y(acc))));
        points.push((*d, *e, *l, acc));
    }
    path.push_str(&format!("H{}", n(scale.xj(d1))));
    s.push_str(&format!(
        "<path class=\"series\" d=\"{path}\" fill=\"none\" stroke=\"{ACCENT}\" stroke-width=\"2.5\" stroke-linejoin=\"round\"/>\n"
    ));

    // Markers, with a label ("37 by 23 Oct 2015") on the last step and on earlier steps far
    // enough from the next label.
    let mut next_label_x = f64::INFINITY;
    let mut labels = Vec::new();
    for (d, e, l, acc) in points.iter().rev() {
        let x = scale.x(*d);
        if next_label_x - x >= 130.0 {
            labels.push((x, *d, *acc));
            next_label_x = x;
        }
        let mut what = Vec::new();
        if *e > 0 {
            what.push(format!("{e} with the letter's exact date"));
        }
        if *l > 0 {
            what.push(format!("{l} listed as supporters by this date"));
        }
        s.push_str(&format!(
            "<g class=\"point\"><title>{}: {}; {} in all</title>",
            Esc(d),
            escape(&what.join(", ")),
            acc
        ));
        if *l > 0 {
            s.push_str(&format!(
                "<path d=\"{}\" fill=\"#fff\" stroke=\"{INK}\" stroke-width=\"1.6\"/>",
                diamond(x, y(*acc), 6.0)
            ));
        }
        if *e > 0 {
            s.push_str(&format!(
                "<circle cx=\"{}\" cy=\"{}\" r=\"3.6\" fill=\"{INK}\"/>",
                n(x),
                n(y(*acc))
            ));
        }
        s.push_str("</g>\n");
    }
    for (x, d, acc) in labels {
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" class=\"value\">{acc} by {}</text>\n",
            n(x + 10.0),
            n(y(acc) - 10.0),
            Esc(super::long_date(d))
        ));
    }
    s.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" class=\"value big\">{total} supporters</text>\
         <text x=\"{}\" y=\"{}\" class=\"label\">by {}</text>\n",
        n(scale.xj(d1) + 8.0),
        n(y(total) + 5.0),
        n(scale.xj(d1) + 8.0),
        n(y(total) + 21.0),
        Esc(super::long_date(end))
    ));
    s.push_str("</svg>\n");
    s
}

/// One marker shape per row of the veto timeline.
fn shape(i: usize, x: f64, y: f64) -> String {
    let (xs, ys) = (n(x), n(y));
    match i % 5 {
        0 => format!("<circle cx=\"{xs}\" cy=\"{ys}\" r=\"6\"/>"),
        1 => format!(
            "<rect x=\"{}\" y=\"{}\" width=\"11\" height=\"11\"/>",
            n(x - 5.5),
            n(y - 5.5)
        ),
        2 => format!(
            "<path d=\"M{} {}L{} {}L{} {}Z\"/>",
            n(x),
            n(y - 7.0),
            n(x + 6.5),
            n(y + 5.5),
            n(x - 6.5),
            n(y + 5.5)
        ),
        3 => format!("<path d=\"{}\"/>", diamond(x, y, 7.0)),
        _ => format!(
            "<path d=\"M{} {}L{} {}M{} {}L{} {}\" stroke-width=\"3\"/>",
            n(x - 5.0),
            n(y - 5.0),
            n(x + 5.0),
            n(y + 5.0),
            n(x - 5.0),
            n(y + 5.0),
            n(x + 5.0),
            n(y - 5.0)
        ),
    }
}

/// Every veto on a time line, one row per permanent member that vetoed.
pub(super) fn veto_timeline(vetoes: &[&VoteOutcome], reference: Option<Date>) -> String {
    const ID: &str = "vetoes-chart";
    const TITLE: &str = "Vetoes in the Security Council, by permanent member";
    let by = |v: &VoteOutcome| match &v.result.outcome {
        Outcome::Vetoed { by } => by.clone(),
        _ => Vec::new(),
    };
    let mut rows: Vec<StateCode> = vetoes.iter().flat_map(|v| by(v)).collect();
    rows.sort();
    rows.dedup();
    let (Some(first), Some(last)) = (vetoes.first(), vetoes.last()) else {
        return empty_svg(ID, TITLE, "No veto is recorded.");
    };
    let last_day = reference.map_or(last.date, |r| r.max(last.date));
    let (w, ml, mr, mt, rh, mb) = (960.0, 64.0, 110.0, 40.0, 46.0, 46.0);
    let h = mt + rh * rows.len() as f64 + mb;
    let start = jan1(first.date.year()).unwrap_or(first.date);
    let end = jan1(last_day.year() + 1).unwrap_or(last_day);
    let scale = DayScale {
        d0: jd(start),
        d1: jd(end),
        x0: ml,
        x1: w - mr,
    };
    let row_y = |i: usize| mt + rh * i as f64 + rh / 2.0;
    let counts: Vec<usize> = rows
        .iter()
        .map(|r| vetoes.iter().filter(|v| by(v).contains(r)).count())
        .collect();
    let desc = format!(
        "Time line from {} to {}. {}",
        first.date.year(),
        last_day.year(),
        rows.iter()
            .zip(&counts)
            .map(|(r, c)| format!("{} ({}): {c} vetoes", r, r.name()))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let mut s = open_svg(ID, w, h, TITLE, &desc);
    let bottom = mt + rh * rows.len() as f64;

    // Rows.
    for (i, (r, c)) in rows.iter().zip(&counts).enumerate() {
        let yy = row_y(i);
        s.push_str(&format!(
            "<g class=\"row\"><line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{GRID}\"/>\
             <text x=\"{}\" y=\"{}\" class=\"row-label\"><title>{}</title>{}</text>\
             <text x=\"{}\" y=\"{}\" class=\"label\">{c} veto{}</text></g>\n",
            n(ml),
            n(yy),
            n(w - mr),
            n(yy),
            n(8.0),
            n(yy + 5.0),
            Esc(r.name()),
            Esc(r),
            n(w - mr + 12.0),
            n(yy + 5.0),
            if *c == 1 { "" } else { "es" }
        ));
    }
    year_axis(
        &mut s,
        &scale,
        bottom,
        mt - 10.0,
        first.date.year(),
        last_day.year() + 1,
    );

    // Resolution 76/262.
    if let Ok(rule) = Date::from_ymd(2022, 4, 26) {
        if (scale.d0..=scale.d1).contains(&jd(rule)) {
            let x = scale.x(rule);
            s.push_str(&format!(
                "<g class=\"annotation\"><line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{INK}\" stroke-dasharray=\"5 4\"/>\
                 <text x=\"{}\" y=\"{}\" class=\"label\">GA res. 76/262: Assembly meets after each veto</text></g>\n",
                n(mt - 22.0),
                n(bottom),
                n(x + 6.0),
                n(mt - 12.0),
                x = n(x),
            ));
        }
    }

    // Marks.
    for v in vetoes {
        let vb = by(v);
        let x = scale.x(v.date);
        let idx: Vec<usize> = vb
            .iter()
            .filter_map(|b| rows.iter().position(|r| r == b))
            .collect();
        let t = &v.result.tally;
        s.push_str(&format!(
            "<g class=\"veto\"><title>{} {}: vetoed by {}; {} in favour, {} against, {} abstaining{}</title>",
            Esc(v.date),
            Esc(v.draft),
            Esc(vb.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" and ")),
            t.yes,
            t.no,
            t.abstain,
            v.subject
                .as_ref()
                .map_or(String::new(), |x| format!(". {}", escape(x.as_str())))
        ));
        if let (Some(lo), Some(hi)) = (idx.iter().min(), idx.iter().max()) {
            if lo != hi {
                s.push_str(&format!(
                    "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{INK}\" stroke-width=\"2\"/>",
                    n(row_y(*lo)),
                    n(row_y(*hi)),
                    x = n(x)
                ));
            }
        }
        s.push_str(&format!(
            "<g fill=\"{ACCENT}\" stroke=\"#fff\" stroke-width=\"1\">"
        ));
        for i in &idx {
            s.push_str(&shape(*i, x, row_y(*i)));
        }
        s.push_str("</g></g>\n");
    }
    s.push_str("</svg>\n");
    s
}

/// Working days from each veto (since resolution 76/262) to the first dated Assembly meeting,
/// as horizontal bars against the ten-day limit.
pub(super) fn working_days_chart(vi: &VetoInitiativeReport) -> String {
    const ID: &str = "working-days-chart";
    const TITLE: &str = "Working days from each veto to the Assembly meeting";
    let judged: Vec<_> = vi
        .vetoes
        .iter()
        .filter(|v| v.status != VetoStatus::RuleNotInForce)
        .collect();
    if judged.is_empty() {
        return empty_svg(
            ID,
            TITLE,
            "No veto is recorded since resolution 76/262 (26 April 2022).",
        );
    }
    let limit = vi.working_day_limit;
    let counts: Vec<Option<(u32, bool)>> = judged
        .iter()
        .map(|v| {
            v.meetings
                .iter()
                .find_map(|m| m.count.as_ref())
                .map(|c| (c.working_days, c.complete))
        })
        .collect();
    let max = counts
        .iter()
        .flatten()
        .map(|(d, _)| *d)
        .max()
        .unwrap_or(0)
        .max(limit + 2);
    let xmax = f64::from(max + 1);
    let (w, ml, mr, mt, rh, mb) = (960.0, 300.0, 60.0, 40.0, 24.0, 46.0);
    let h = mt + rh * judged.len() as f64 + mb;
    let bottom = mt + rh * judged.len() as f64;
    let x = |d: f64| ml + d / xmax * (w - ml - mr);
    let desc = format!(
        "Bar chart, one bar per veto since {}: {}",
        vi.rule_in_force_from,
        judged
            .iter()
            .zip(&counts)
            .map(|(v, c)| match c {
                Some((d, _)) => format!("{} {}: {d} working days", v.date, v.draft),
                None => format!("{} {}: no dated meeting", v.date, v.draft),
            })
            .collect::<Vec<_>>()
            .join("; ")
    );
    let mut s = open_svg(ID, w, h, TITLE, &desc);
    s.push_str(&format!(
        "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
         <rect width=\"6\" height=\"6\" fill=\"#fff\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"{INK}\" stroke-width=\"2.5\"/></pattern></defs>\n"
    ));

    // Axis: ticks every 2 working days.
    s.push_str(&format!(
        "<g class=\"axis x\" aria-hidden=\"true\"><line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{INK}\"/>\n",
        n(ml),
        n(bottom),
        n(w - mr),
        n(bottom)
    ));
    let mut t = 0;
    while t <= max + 1 {
        let xx = n(x(f64::from(t)));
        s.push_str(&format!(
            "<line x1=\"{xx}\" y1=\"{}\" x2=\"{xx}\" y2=\"{}\" stroke=\"{GRID}\" stroke-width=\"0.6\"/>\
             <text x=\"{xx}\" y=\"{}\" text-anchor=\"middle\" class=\"tick\">{t}</text>\n",
            n(mt - 6.0),
            n(bottom + 6.0),
            n(bottom + 20.0)
        ));
        t += 2;
    }
    s.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"axis-title\">working days after the veto</text></g>\n",
        n(x(xmax / 2.0)),
        n(bottom + 38.0)
    ));

    for (i, (v, c)) in judged.iter().zip(&counts).enumerate() {
        let yy = mt + rh * i as f64;
        let by: Vec<&str> = v.vetoed_by.iter().map(|s| s.as_str()).collect();
        s.push_str(&format!(
            "<g class=\"bar\"><title>{}</title><text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"row-label small\">{} &#183; {} &#183; {}</text>",
            escape(&v.basis),
            n(ml - 10.0),
            n(yy + rh / 2.0 + 4.0),
            Esc(v.date),
            Esc(&v.draft),
            Esc(by.join("+"))
        ));
        match c {
            Some((d, complete)) => {
                let over = *d > limit;
                s.push_str(&format!(
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" {}/>\
                     <text x=\"{}\" y=\"{}\" class=\"value\">{d}{}</text>",
                    n(ml),
                    n(yy + 4.0),
                    n(x(f64::from(*d)) - ml),
                    n(rh - 8.0),
                    if over {
                        format!("fill=\"url(#hatch)\" stroke=\"{INK}\"")
                    } else {
                        format!("fill=\"{ACCENT}\"")
                    },
                    n(x(f64::from(*d)) + 6.0),
                    n(yy + rh / 2.0 + 4.0),
                    if *complete { "" } else { "*" }
                ));
            }
            None => {
                let what = match v.status {
                    VetoStatus::MeetingUndated => "meeting held, date not recorded",
                    VetoStatus::WindowOpen => "window still open",
                    _ => "no meeting recorded",
                };
                s.push_str(&format!(
                    "<text x=\"{}\" y=\"{}\" class=\"label missing\">{what}</text>",
                    n(ml + 6.0),
                    n(yy + rh / 2.0 + 4.0)
                ));
            }
        }
        s.push_str("</g>\n");
    }

    // The limit.
    let lx = n(x(f64::from(limit)));
    s.push_str(&format!(
        "<g class=\"annotation\"><line x1=\"{lx}\" y1=\"{}\" x2=\"{lx}\" y2=\"{}\" stroke=\"{INK}\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\
         <text x=\"{lx}\" y=\"{}\" text-anchor=\"middle\" class=\"label\">limit: {limit} working days</text></g>\n",
        n(mt - 16.0),
        n(bottom),
        n(mt - 22.0)
    ));
    s.push_str("</svg>\n");
    s
}
