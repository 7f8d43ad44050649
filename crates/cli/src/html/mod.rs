//! `actledger export html`: one self-contained HTML page of the record, for people who would
//! rather look than read JSON.
//!
//! The page is a pure function of a [`Page`] (projections already computed by replay, the
//! integrity facts already checked): no clock, no randomness, no I/O, so the same ledger gives
//! a byte-identical file. It holds no script and loads nothing (a Content-Security-Policy of
//! `default-src 'none'` says so to the browser); its CSS and SVG charts are inline, and a print
//! stylesheet lays it out on A4.
//!
//! **Escaping.** Everything that comes from the ledger (names, subjects, sources, notes,
//! calendar names, the checkpoint note, ...) goes through [`escape`] (or the [`Esc`] wrapper,
//! which calls it) before it reaches the page, in text and in attributes alike. Links are
//! made only from `http://` and `https://` URLs found in source texts.

mod charts;
mod compliance;
mod council;
mod integrity;
mod limits;
mod masthead;
mod page;
mod style;
mod supporters;
mod vetoes;

pub use page::{
    Check, CheckpointInfo, CutEvent, DataFile, Head, Page, SignatureLine, Summary, Totals,
};
#[allow(clippy::wildcard_imports)]
use {compliance::*, council::*, integrity::*, limits::*, masthead::*, supporters::*, vetoes::*};

use std::fmt;

use actledger_core::event::{Seat, Vote};
use actledger_core::outcome::Outcome;
use actledger_core::projection::compliance::FindingKind;
use actledger_core::projection::credibility::PolicyKind;
use actledger_core::projection::veto_initiative::{MeetingCheck, VetoStatus};
use actledger_core::projection::{
    ComplianceReport, Council, Precision, Standing, SupporterList, VetoInitiativeReport, VoteList,
};
use actledger_core::{Date, Seq, StateCode};

/// Escapes text for HTML text nodes and quoted attribute values: `&`, `<`, `>`, `"` and `'`.
/// The one function every ledger-derived string goes through.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
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

/// Displays a value escaped by [`escape`]: `format!("<td>{}</td>", Esc(&name))`.
pub struct Esc<T>(pub T);

impl<T: fmt::Display> fmt::Display for Esc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escape(&self.0.to_string()))
    }
}

/// Renders the page.
pub fn render(p: &Page) -> String {
    let mut out = String::with_capacity(128 * 1024);
    head(&mut out, p);
    masthead(&mut out, p);
    out.push_str("<main>\n");
    summary_note(&mut out, p);
    supporters_section(&mut out, p);
    council_section(&mut out, p);
    vetoes_section(&mut out, p);
    veto_initiative_section(&mut out, p);
    compliance_section(&mut out, p);
    limits_section(&mut out, p);
    integrity_section(&mut out, p);
    out.push_str("</main>\n");
    footer(&mut out, p);
    out.push_str("</body>\n</html>\n");
    out
}

/// On a summarised page: what is summarised and where the full tables are.
fn summary_note(out: &mut String, p: &Page) {
    let Some(s) = &p.summary else {
        return;
    };
    out.push_str("<aside class=\"summary\" id=\"summary\" aria-labelledby=\"h-summary\">\n");
    out.push_str("<h2 id=\"h-summary\">This page summarises a large record</h2>\n");
    out.push_str(&format!(
        "<p>The record holds {} and {}, too many rows for one page. The page shows every \
         supporter, the Council, the charts and every count; of the long tables it shows the \
         most important rows (breaches, possible breaches and conflicts first) and the most \
         recent: {} of the {} vetoes, {} of the {} vetoes since resolution 76/262, {} of the {} \
         compliance findings. Every row is in the files beside this page, written from the \
         same replay:</p>\n<ul class=\"files\">\n",
        plural(p.totals.votes, "vote", "votes"),
        plural(p.totals.findings, "finding", "findings"),
        s.shown_vetoes,
        p.totals.vetoes,
        s.shown_judged,
        p.totals.judged_vetoes,
        s.shown_findings,
        p.totals.findings,
    ));
    for f in &s.files {
        out.push_str(&format!(
            "<li><a href=\"{}\">{}</a>: {}</li>\n",
            Esc(&f.href),
            Esc(&f.href),
            Esc(&f.what)
        ));
    }
    out.push_str("</ul>\n</aside>\n");
}

/// The sentence under a summarised table: how many rows it shows and which file has them all.
/// `keys` names the tables that hold the rows, the first one the page has a file for linked.
fn shown_note(p: &Page, shown: usize, total: usize, what: &str, keys: &[&str]) -> String {
    let Some(s) = &p.summary else {
        return String::new();
    };
    let link = keys
        .iter()
        .find_map(|k| s.files.iter().find(|f| f.key == *k))
        .map_or_else(
            || "the files listed at the top of the page".to_string(),
            |f| format!("<a href=\"{}\">{}</a>", Esc(&f.href), Esc(&f.href)),
        );
    format!(
        "<p class=\"note shown\">Summarised: {shown} of the {total} {what} are shown here; every one is in {link}.</p>\n"
    )
}

fn head(out: &mut String, p: &Page) {
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n");
    out.push_str(&format!(
        "<meta name=\"generator\" content=\"{}\">\n",
        Esc(&p.generator)
    ));
    out.push_str(&format!(
        "<meta name=\"description\" content=\"The ACT Code of Conduct on Mass Atrocities: supporters, Security Council vetoes, veto-initiative meetings and compliance, from the tamper-evident ledger {}.\">\n",
        Esc(&p.origin)
    ));
    out.push_str(&format!(
        "<title>ACT Code of Conduct: the public record ({})</title>\n",
        Esc(&p.origin)
    ));
    out.push_str("<style>\n");
    out.push_str(style::CSS);
    out.push_str("</style>\n</head>\n<body>\n");
}

/// "24 Oct 2015" for prose; dates in tables stay ISO.
fn long_date(d: Date) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let m = MONTHS
        .get(usize::from(d.month()).saturating_sub(1))
        .copied()
        .unwrap_or("?");
    format!("{} {m} {}", d.day(), d.year())
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn codes(v: &[StateCode]) -> String {
    v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("+")
}

fn seq_ref(seq: Seq, corrections: &[Seq]) -> String {
    if corrections.is_empty() {
        seq.to_string()
    } else {
        format!(
            "{seq} (corrected by {})",
            corrections
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// The day the page's "now" refers to: the `--as-of` cut-off, else the day the last replayed
/// event was recorded (never the wall clock).
fn reference_day(p: &Page) -> Option<Date> {
    p.veto_initiative.reference_date
}

fn precision_label(p: Precision) -> &'static str {
    match p {
        Precision::Exact => "exact",
        Precision::ListedBy => "listed by (upper bound)",
    }
}

/// Splits a source text into escaped text and links for its `http(s)://` URLs.
fn linkify(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    loop {
        let next = [rest.find("https://"), rest.find("http://")]
            .into_iter()
            .flatten()
            .min();
        let Some(i) = next else {
            out.push_str(&escape(rest));
            return out;
        };
        let (before, from) = rest.split_at(i);
        out.push_str(&escape(before));
        // A URL ends at white space or at a character that cannot appear in one unescaped.
        let end = from
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>'))
            .unwrap_or(from.len());
        let (mut url, mut after) = from.split_at(end);
        // Trailing punctuation belongs to the sentence, not the URL (a `)` only when the URL
        // has no matching `(`).
        while let Some(c) = url.chars().last() {
            let unbalanced_paren = c == ')' && url.matches('(').count() < url.matches(')').count();
            if matches!(c, '.' | ',' | ';' | ':') || unbalanced_paren {
                let cut = url.len() - c.len_utf8();
                after = &from[cut..];
                url = &url[..cut];
            } else {
                break;
            }
        }
        if url.len() <= "https://".len() {
            out.push_str(&escape(url));
        } else {
            out.push_str(&format!(
                "<a href=\"{}\" rel=\"noreferrer\">{}</a>",
                escape(url),
                escape(url)
            ));
        }
        rest = after;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_the_five_characters() {
        assert_eq!(
            escape(r#"<script>alert("x") & 'y'</script>"#),
            "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;"
        );
        assert_eq!(escape("Côte d’Ivoire"), "Côte d’Ivoire");
        assert_eq!(Esc("a<b").to_string(), "a&lt;b");
    }

    #[test]
    fn linkify_links_only_http_urls_and_escapes_the_rest() {
        let s = linkify("see https://example.org/a?x=1&y=2 (list); javascript:alert(1) <b>");
        assert_eq!(
            s,
            "see <a href=\"https://example.org/a?x=1&amp;y=2\" rel=\"noreferrer\">https://example.org/a?x=1&amp;y=2</a> (list); javascript:alert(1) &lt;b&gt;"
        );
        let s = linkify("http://a.example/x (note; https://b.example/y)");
        assert!(s.contains("href=\"https://b.example/y\""), "{s}");
        assert!(s.ends_with("</a>)"), "{s}");
        // A quote or angle bracket ends the URL; what follows is text.
        let s = linkify("https://y.example/\"><script>x</script>");
        assert_eq!(
            s,
            "<a href=\"https://y.example/\" rel=\"noreferrer\">https://y.example/</a>&quot;&gt;&lt;script&gt;x&lt;/script&gt;"
        );
        assert_eq!(linkify("https://"), "https://");
    }
}
