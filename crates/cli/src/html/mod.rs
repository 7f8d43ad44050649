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
mod style;

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

/// The ledger's head, as verification recomputed it when the page was written.
#[derive(Debug, Clone)]
pub struct Head {
    /// Number of events.
    pub events: u64,
    /// SHA-256 of the last event's stored bytes, hex.
    pub hash: String,
    /// When the last event was recorded (RFC 3339, from the ledger).
    pub last_recorded: Option<String>,
}

/// The event a `--at-seq` cut-off stops at.
#[derive(Debug, Clone)]
pub struct CutEvent {
    /// Its sequence number.
    pub seq: u64,
    /// SHA-256 of its stored bytes, hex.
    pub hash: String,
}

/// One signature line of the checkpoint note.
#[derive(Debug, Clone)]
pub struct SignatureLine {
    /// Key name.
    pub name: String,
    /// Key ID, hex.
    pub key_id: String,
    /// Signature bytes after the key ID, base64.
    pub signature: String,
}

/// One check the exporter made, and its result.
#[derive(Debug, Clone)]
pub struct Check {
    /// Whether it passed.
    pub ok: bool,
    /// What was checked, in one sentence.
    pub what: String,
}

/// The latest signed checkpoint, parsed and checked against the ledger.
#[derive(Debug, Clone)]
pub struct CheckpointInfo {
    /// The C2SP signed note, verbatim.
    pub note: String,
    /// Origin line (empty when the note does not parse).
    pub origin: String,
    /// Tree size.
    pub size: u64,
    /// Root hash, base64 (as in the note).
    pub root: String,
    /// Signature lines.
    pub signatures: Vec<SignatureLine>,
    /// Note verifier keys of the ledger's log keys (`name+keyid+base64`).
    pub verifier_keys: Vec<String>,
    /// What the exporter checked.
    pub checks: Vec<Check>,
}

/// Everything the page shows, computed beforehand.
#[derive(Debug, Clone)]
pub struct Page {
    /// The ledger's origin (genesis).
    pub origin: String,
    /// The ledger's description (genesis).
    pub description: String,
    /// `actledger <version>`.
    pub generator: String,
    /// `--as-of` cut-off.
    pub as_of: Option<Date>,
    /// `--at-seq` cut-off.
    pub at_seq: Option<u64>,
    /// The ledger's head.
    pub head: Head,
    /// The event an `--at-seq` cut-off stops at.
    pub cut: Option<CutEvent>,
    /// The latest checkpoint, if one was signed.
    pub checkpoint: Option<CheckpointInfo>,
    /// Supporters.
    pub supporters: SupporterList,
    /// The Council on the page's reference day (the last day of recorded terms at most).
    pub council: Option<Council>,
    /// Every vote with its computed outcome.
    pub votes: VoteList,
    /// Compliance findings.
    pub compliance: ComplianceReport,
    /// The veto-initiative record.
    pub veto_initiative: VetoInitiativeReport,
}

/// Renders the page.
pub fn render(p: &Page) -> String {
    let mut out = String::with_capacity(128 * 1024);
    head(&mut out, p);
    masthead(&mut out, p);
    out.push_str("<main>\n");
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

fn masthead(out: &mut String, p: &Page) {
    let sup = &p.supporters;
    let vetoes: Vec<_> = p
        .votes
        .votes
        .iter()
        .filter(|v| matches!(v.result.outcome, Outcome::Vetoed { .. }))
        .collect();
    let vi = &p.veto_initiative;
    let judged = vi.vetoes.len() - vi.counts.rule_not_in_force;
    let c = &p.compliance.counts;

    out.push_str("<header class=\"masthead\">\n");
    out.push_str(&format!(
        "<p class=\"kicker\">Public record &middot; ledger <span class=\"mono\">{}</span></p>\n",
        Esc(&p.origin)
    ));
    out.push_str("<h1>The ACT Code of Conduct on Mass Atrocities: the record</h1>\n");
    out.push_str(
        "<p class=\"lede\">In October 2015 the Accountability, Coherence and Transparency (ACT) group of \
         states launched a Code of Conduct. A state that supports it pledges not to vote against a \
         <em>credible</em> draft resolution of the UN Security Council aimed at preventing or ending \
         genocide, crimes against humanity or war crimes. A state joins by a letter to the Permanent \
         Mission of Liechtenstein in New York, which keeps the list; there is no withdrawal. Abstaining \
         is allowed: only a vote <em>against</em> breaks the pledge. Since General Assembly resolution \
         76/262 (26 April 2022), every veto in the Council must be followed by a General Assembly \
         meeting within ten working days.</p>\n",
    );
    out.push_str(
        "<p>This page is generated from a tamper-evident ledger. Every fact on it (an adherence \
         letter, a Council term, a vote, an Assembly meeting, a holiday calendar) is an event signed \
         by the key of the office that recorded it and chained by SHA-256 to every event before it, \
         so no entry can be changed or removed without the change showing. Nothing here is typed \
         in by hand: vote outcomes are computed from the members' votes (UN Charter Art. 27), \
         working days from the recorded calendar, findings from the recorded votes and \
         assessments. <a href=\"#integrity\">Section 7</a> gives the fingerprint of the record and \
         the commands that check it.</p>\n",
    );
    if !p.description.is_empty() {
        out.push_str(&format!(
            "<p class=\"note\">Ledger description: {}</p>\n",
            Esc(&p.description)
        ));
    }

    // Key figures.
    out.push_str("<ul class=\"figures\" aria-label=\"Key figures\">\n");
    let fig = |out: &mut String, n: String, label: String| {
        out.push_str(&format!(
            "<li><span class=\"n\">{n}</span> <span class=\"l\">{label}</span></li>\n"
        ));
    };
    fig(
        out,
        sup.count.to_string(),
        "supporters recorded".to_string(),
    );
    let span = match (vetoes.first(), vetoes.last()) {
        (Some(a), Some(b)) if a.date.year() != b.date.year() => {
            format!(", {}&ndash;{}", a.date.year(), b.date.year())
        }
        (Some(a), _) => format!(", {}", a.date.year()),
        _ => String::new(),
    };
    fig(
        out,
        vetoes.len().to_string(),
        format!("vetoes recorded{span}"),
    );
    fig(
        out,
        format!("{}<small>/{judged}</small>", vi.counts.held),
        "vetoes since April 2022 followed by an Assembly meeting within 10 working days"
            .to_string(),
    );
    fig(
        out,
        c.breach.to_string(),
        format!(
            "breaches found ({} needing assessment, {} permitted abstentions)",
            c.needs_assessment, c.abstained
        ),
    );
    out.push_str("</ul>\n");

    // Basis.
    out.push_str("<dl class=\"basis\">\n");
    out.push_str(&format!(
        "<dt>Record</dt><dd><span class=\"mono\">{}</span>: {} events",
        Esc(&p.origin),
        p.head.events
    ));
    if let Some(t) = &p.head.last_recorded {
        out.push_str(&format!(", the last recorded {}", Esc(t)));
    }
    out.push_str("</dd>\n");
    out.push_str(&format!(
        "<dt>Fingerprint</dt><dd><span class=\"mono hash\">{}</span> <span class=\"muted\">(SHA-256 of the last event; <a href=\"#integrity\">how to check</a>)</span></dd>\n",
        Esc(&p.head.hash)
    ));
    let mut cut = Vec::new();
    if let Some(d) = p.as_of {
        cut.push(format!("facts dated on or before {}", Esc(d)));
    }
    if let Some(c) = &p.cut {
        cut.push(format!(
            "the log as it stood at event {} (hash <span class=\"mono hash\">{}</span>)",
            c.seq,
            Esc(&c.hash)
        ));
    } else if let Some(s) = p.at_seq {
        cut.push(format!("the log up to event {s}"));
    }
    if !cut.is_empty() {
        out.push_str(&format!(
            "<dt>Cut-off</dt><dd>This page shows {}.</dd>\n",
            cut.join("; ")
        ));
    }
    if let Some(d) = reference_day(p) {
        out.push_str(&format!(
            "<dt>Reference day</dt><dd>{} <span class=\"muted\">(“today” for this page: {})</span></dd>\n",
            Esc(d),
            if p.as_of.is_some() {
                "the cut-off date"
            } else {
                "the day the last event was recorded"
            }
        ));
    }
    out.push_str("</dl>\n");

    out.push_str("<nav aria-label=\"Contents\"><ol>\n");
    for (id, title) in [
        ("supporters", "Supporters"),
        ("council", "The Council"),
        ("vetoes", "Vetoes"),
        ("veto-initiative", "The veto initiative"),
        ("compliance", "Compliance"),
        ("limits", "What the record does not cover"),
        ("integrity", "Proof of integrity"),
    ] {
        out.push_str(&format!("<li><a href=\"#{id}\">{title}</a></li>\n"));
    }
    out.push_str("</ol></nav>\n</header>\n");
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

fn supporters_section(out: &mut String, p: &Page) {
    let sup = &p.supporters;
    let exact = sup
        .supporters
        .iter()
        .filter(|s| s.precision == Precision::Exact)
        .count();
    out.push_str("<section id=\"supporters\" aria-labelledby=\"h-supporters\">\n");
    out.push_str(
        "<h2 id=\"h-supporters\"><span class=\"num\">1</span> Supporters of the Code</h2>\n",
    );
    out.push_str(&format!(
        "<p>The ledger records <strong>{}</strong>. For {} the date of the letter itself is known; \
         for {} a source only shows that the state was listed as a supporter <em>by</em> a date, \
         so it may have joined earlier. The line below therefore never overstates: the true count \
         on any day is at least what it shows.</p>\n",
        plural(sup.count, "supporter", "supporters"),
        plural(exact, "state", "states"),
        plural(sup.count - exact, "state", "states"),
    ));
    out.push_str("<figure class=\"chart\">\n");
    out.push_str(&charts::supporter_chart(sup, reference_day(p)));
    out.push_str(&format!(
        "<figcaption><span class=\"key\">{} letter with an exact date</span> \
         <span class=\"key\">{} listed as a supporter by this date (upper bound)</span> \
         Supporters recorded, cumulative, by date of adherence.</figcaption>\n",
        charts::legend_marker(true),
        charts::legend_marker(false)
    ));
    out.push_str("</figure>\n");

    // Sources as numbered notes: the same few sources cite most letters.
    let mut sources: Vec<&str> = Vec::new();
    for s in &sup.supporters {
        if !s.source.as_str().is_empty() && !sources.contains(&s.source.as_str()) {
            sources.push(s.source.as_str());
        }
    }
    out.push_str("<table class=\"data\" id=\"supporters-table\">\n");
    out.push_str(&format!(
        "<caption>The {} supporters recorded, by state code</caption>\n",
        sup.count
    ));
    out.push_str(
        "<thead><tr><th scope=\"col\">State</th><th scope=\"col\">Name</th>\
         <th scope=\"col\">Adhered</th><th scope=\"col\">Date precision</th>\
         <th scope=\"col\">Instrument</th><th scope=\"col\">Source</th>\
         <th scope=\"col\" class=\"r\">Event</th></tr></thead>\n<tbody>\n",
    );
    for s in &sup.supporters {
        let src = sources
            .iter()
            .position(|x| *x == s.source.as_str())
            .map_or(String::new(), |i| {
                format!("<a href=\"#source-{n}\">[{n}]</a>", n = i + 1)
            });
        let mut inst = escape(s.instrument.name());
        if !s.reference.as_str().is_empty() {
            inst.push_str(&format!(" {}", Esc(&s.reference)));
        }
        if let Some(r) = s.received {
            inst.push_str(&format!(", received {}", Esc(r)));
        }
        out.push_str(&format!(
            "<tr><th scope=\"row\" class=\"mono\">{}</th><td>{}</td><td class=\"date\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"r mono seq\">{}</td></tr>\n",
            Esc(s.state),
            Esc(&s.name),
            Esc(s.date),
            precision_label(s.precision),
            inst,
            src,
            Esc(seq_ref(s.seq, &s.corrections)),
        ));
    }
    out.push_str("</tbody>\n</table>\n");
    if !sources.is_empty() {
        out.push_str("<h3 id=\"h-sources\">Sources</h3>\n<ol class=\"sources\" aria-labelledby=\"h-sources\">\n");
        for (i, s) in sources.iter().enumerate() {
            out.push_str(&format!(
                "<li id=\"source-{}\">{}</li>\n",
                i + 1,
                linkify(s)
            ));
        }
        out.push_str("</ol>\n");
    }
    out.push_str("</section>\n");
}

fn standing_cell(s: &Standing) -> String {
    match s {
        Standing::Supporter { adherence } => format!(
            "<strong>bound</strong>: {}{}",
            Esc(adherence.describe()),
            match adherence.precision {
                Precision::Exact => " (exact date)",
                Precision::ListedBy => " (upper bound)",
            }
        ),
        Standing::AdheredLater { adherence } => {
            format!("not yet bound: {}", Esc(adherence.describe()))
        }
        Standing::ListedLater { .. }
        | Standing::NoAdherenceRecorded
        | Standing::NotASupporter { .. } => Esc(s.label()).to_string(),
    }
}

fn council_section(out: &mut String, p: &Page) {
    out.push_str("<section id=\"council\" aria-labelledby=\"h-council\">\n");
    out.push_str("<h2 id=\"h-council\"><span class=\"num\">2</span> The Security Council</h2>\n");
    let Some(c) = &p.council else {
        out.push_str("<p>No Council term is recorded.</p>\n</section>\n");
        return;
    };
    out.push_str(&format!(
        "<p>On <strong>{}</strong>, {} of the {} members recorded were bound by the Code{}. \
         A supporter is bound from its adherence; a state only <em>listed by</em> a later date \
         is not counted as bound.</p>\n",
        long_date(c.date),
        c.supporters,
        c.count,
        if c.complete {
            ""
        } else {
            " (the recorded Council is incomplete)"
        }
    ));
    out.push_str("<table class=\"data\" id=\"council-table\">\n");
    out.push_str(&format!(
        "<caption>Members of the Security Council on {}</caption>\n",
        Esc(c.date)
    ));
    out.push_str(
        "<thead><tr><th scope=\"col\">State</th><th scope=\"col\">Name</th><th scope=\"col\">Seat</th>\
         <th scope=\"col\">Term</th><th scope=\"col\">ACT Code on that day</th>\
         <th scope=\"col\" class=\"r\">Event</th></tr></thead>\n<tbody>\n",
    );
    for m in &c.members {
        out.push_str(&format!(
            "<tr><th scope=\"row\" class=\"mono\">{}</th><td>{}</td><td>{}</td><td class=\"date\">{} &ndash; {}</td><td>{}</td><td class=\"r mono seq\">{}</td></tr>\n",
            Esc(m.state),
            Esc(&m.name),
            match m.seat {
                Seat::Permanent => "permanent",
                Seat::Elected => "elected",
            },
            Esc(m.from),
            Esc(m.to),
            standing_cell(&m.standing),
            Esc(seq_ref(m.term_seq, &m.term_corrections)),
        ));
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn vetoes_section(out: &mut String, p: &Page) {
    let vetoes: Vec<_> = p
        .votes
        .votes
        .iter()
        .filter(|v| matches!(v.result.outcome, Outcome::Vetoed { .. }))
        .collect();
    out.push_str("<section id=\"vetoes\" aria-labelledby=\"h-vetoes\">\n");
    out.push_str(
        "<h2 id=\"h-vetoes\"><span class=\"num\">3</span> Vetoes in the Security Council</h2>\n",
    );
    out.push_str(&format!(
        "<p>The ledger records {} in the Council; <strong>{} vetoed</strong>: the draft had \
         at least nine votes in favour, and at least one permanent member voted against \
         (Charter Art. 27(3)). Each outcome is computed from the members' recorded votes, never \
         copied from a source.</p>\n",
        plural(p.votes.votes.len(), "vote", "votes"),
        if vetoes.is_empty() {
            "none was".to_string()
        } else if vetoes.len() == p.votes.votes.len() {
            format!("all {} were", vetoes.len())
        } else {
            format!(
                "{} {}",
                vetoes.len(),
                if vetoes.len() == 1 { "was" } else { "were" }
            )
        }
    ));
    out.push_str("<figure class=\"chart\">\n");
    out.push_str(&charts::veto_timeline(&vetoes, reference_day(p)));
    out.push_str(
        "<figcaption>Each mark is one vetoed draft, on the row of the permanent member that \
         vetoed it; a vertical bar joins the marks of a joint veto. The dashed line is the \
         adoption of resolution 76/262.</figcaption>\n",
    );
    out.push_str("</figure>\n");
    out.push_str("<table class=\"data\" id=\"vetoes-table\">\n");
    out.push_str("<caption>Every vetoed draft, with the vote</caption>\n");
    out.push_str(
        "<thead><tr><th scope=\"col\">Date</th><th scope=\"col\">Draft</th><th scope=\"col\">Subject</th>\
         <th scope=\"col\">Vetoed by</th><th scope=\"col\" class=\"r\">Yes</th><th scope=\"col\" class=\"r\">No</th>\
         <th scope=\"col\" class=\"r\">Abst.</th><th scope=\"col\">Meeting</th><th scope=\"col\" class=\"r\">Event</th></tr></thead>\n<tbody>\n",
    );
    for v in &vetoes {
        let by = match &v.result.outcome {
            Outcome::Vetoed { by } => codes(by),
            _ => String::new(),
        };
        let t = &v.result.tally;
        out.push_str(&format!(
            "<tr><td class=\"date\">{}</td><th scope=\"row\" class=\"mono nowrap\">{}</th><td class=\"text\">{}</td><td class=\"mono\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"mono nowrap\">{}</td><td class=\"r mono seq\">{}</td></tr>\n",
            Esc(v.date),
            Esc(v.draft),
            v.subject.as_ref().map_or(String::new(), |s| escape(s.as_str())),
            Esc(by),
            t.yes,
            t.no,
            t.abstain,
            v.meeting.as_ref().map_or(String::new(), |m| escape(&m.to_string())),
            Esc(seq_ref(v.seq, &v.corrections)),
        ));
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn status_label(s: VetoStatus) -> &'static str {
    match s {
        VetoStatus::RuleNotInForce => "before the rule",
        VetoStatus::Held => "&#10003; held",
        VetoStatus::Missed => "&#10007; missed",
        VetoStatus::MissedUnlessUnrecordedHolidays => {
            "&#10007;? late by the recorded calendar (incomplete)"
        }
        VetoStatus::MeetingUndated => "? meeting date not recorded",
        VetoStatus::WindowOpen => "window still open",
        VetoStatus::NoMeetingRecorded => "&mdash; no meeting recorded",
    }
}

fn calendar_sentence(vi: &VetoInitiativeReport) -> String {
    let cal = &vi.calendar;
    let years: Vec<String> = cal
        .years
        .iter()
        .map(|y| {
            if y.complete {
                y.year.to_string()
            } else {
                format!("{} (partial)", y.year)
            }
        })
        .collect();
    match &cal.name {
        Some(n) => format!(
            "Working days exclude Saturdays, Sundays and the holidays of the calendar \
             <strong>{}</strong>, which the ledger records for {}. For other years only weekends \
             are excluded; a count marked * touches such a year and could only go down if its \
             holidays were recorded.",
            Esc(n),
            if years.is_empty() {
                "no year".to_string()
            } else {
                escape(&years.join(", "))
            }
        ),
        None => "No holiday calendar is recorded: working days exclude Saturdays and Sundays \
                 only, and every count is marked *."
            .to_string(),
    }
}

fn veto_initiative_section(out: &mut String, p: &Page) {
    let vi = &p.veto_initiative;
    let judged: Vec<_> = vi
        .vetoes
        .iter()
        .filter(|v| v.status != VetoStatus::RuleNotInForce)
        .collect();
    let c = &vi.counts;
    out.push_str("<section id=\"veto-initiative\" aria-labelledby=\"h-vi\">\n");
    out.push_str("<h2 id=\"h-vi\"><span class=\"num\">4</span> The veto initiative: did the Assembly meet in time?</h2>\n");
    out.push_str(&format!(
        "<p>General Assembly resolution 76/262 requires a formal Assembly meeting within \
         <strong>{} working days</strong> of every veto cast from {} on (an emergency special \
         session on the same situation counts). Of the {} vetoes since then, the rule \
         <strong>held for {}</strong>; {} missed; {} with a meeting whose date is not recorded; \
         {} with no meeting recorded{}.</p>\n",
        vi.working_day_limit,
        long_date(vi.rule_in_force_from),
        judged.len(),
        c.held,
        c.missed + c.missed_unless_unrecorded_holidays,
        c.meeting_undated,
        c.no_meeting_recorded,
        if c.window_open > 0 {
            format!("; {} still within the window", c.window_open)
        } else {
            String::new()
        }
    ));
    out.push_str(&format!("<p>{}</p>\n", calendar_sentence(vi)));
    out.push_str("<figure class=\"chart\">\n");
    out.push_str(&charts::working_days_chart(vi));
    out.push_str(
        "<figcaption>Working days from each veto to the first Assembly meeting that followed it. \
         Solid bars: within the limit; hatched bars: beyond it.</figcaption>\n",
    );
    out.push_str("</figure>\n");
    out.push_str("<table class=\"data\" id=\"veto-initiative-table\">\n");
    out.push_str(&format!(
        "<caption>Vetoes since {} and the Assembly meetings that followed</caption>\n",
        Esc(vi.rule_in_force_from)
    ));
    out.push_str(
        "<thead><tr><th scope=\"col\">Veto</th><th scope=\"col\">Draft</th><th scope=\"col\">By</th>\
         <th scope=\"col\">Assembly met</th><th scope=\"col\">Records</th>\
         <th scope=\"col\" class=\"r\">Working days</th><th scope=\"col\">Rule</th>\
         <th scope=\"col\" class=\"r\">Events</th></tr></thead>\n<tbody>\n",
    );
    for v in &judged {
        let first = v.meetings.first();
        let met = first.map_or("&mdash;".to_string(), |m| {
            let mut s = m
                .date
                .map_or("date not recorded".to_string(), |d| escape(&d.to_string()));
            if m.format == actledger_core::event::MeetingFormat::EmergencySpecialSession {
                s.push_str(" (emergency special session)");
            }
            s
        });
        let records = first.map_or(String::new(), |m| {
            escape(
                &m.records
                    .iter()
                    .map(|r| r.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        });
        let days = first
            .and_then(|m| m.count.as_ref())
            .map_or("&mdash;".to_string(), |c| {
                format!("{}{}", c.working_days, if c.complete { "" } else { "*" })
            });
        let mut seqs = v.vote_seq.to_string();
        for m in &v.meetings {
            seqs.push_str(&format!(", {}", m.seq));
        }
        out.push_str(&format!(
            "<tr class=\"st-{}\"><td class=\"date\">{}</td><th scope=\"row\" class=\"mono nowrap\">{}</th><td class=\"mono\">{}</td><td class=\"date\">{}</td><td class=\"mono\">{}</td><td class=\"r\">{}</td><td>{}</td><td class=\"r mono seq\">{}</td></tr>\n",
            status_class(v.status),
            Esc(v.date),
            Esc(if v.known_by == "tally" {
                format!("{} (vote known by its tally)", v.draft)
            } else {
                v.draft.clone()
            }),
            Esc(codes(&v.vetoed_by)),
            met,
            records,
            days,
            status_label(v.status),
            Esc(seqs),
        ));
    }
    out.push_str("</tbody>\n</table>\n");
    if c.rule_not_in_force > 0 {
        out.push_str(&format!(
            "<p class=\"note\">{} recorded before {} are not judged: the rule did not exist yet.</p>\n",
            plural(c.rule_not_in_force, "veto", "vetoes"),
            long_date(vi.rule_in_force_from)
        ));
    }
    if !vi.other_meetings.is_empty() {
        out.push_str("<p class=\"note\">Also recorded: Assembly meetings after vetoes that the ledger does not hold as Council votes (for example a veto of an amendment without a draft symbol):</p>\n<ul class=\"note\">\n");
        for m in &vi.other_meetings {
            let t = &m.meeting;
            out.push_str(&format!(
                "<li>veto of {}{}: Assembly meeting {}{} (event {})</li>\n",
                Esc(m.follows.date),
                m.follows
                    .draft
                    .map_or(String::new(), |d| format!(" on {}", Esc(d))),
                t.date
                    .map_or("with no recorded date".to_string(), |d| format!(
                        "on {}",
                        Esc(d)
                    )),
                t.count.as_ref().map_or(String::new(), |c| format!(
                    ", {} working days{} later{}",
                    c.working_days,
                    if c.complete { "" } else { "*" },
                    match t.check {
                        MeetingCheck::Held => ": within the limit",
                        MeetingCheck::Missed => ": beyond the limit",
                        MeetingCheck::MissedUnlessUnrecordedHolidays => {
                            ": beyond the limit by the recorded calendar, which is incomplete for that period"
                        }
                        MeetingCheck::Undated | MeetingCheck::NotJudged => "",
                    }
                )),
                Esc(t.seq)
            ));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

fn status_class(s: VetoStatus) -> &'static str {
    match s {
        VetoStatus::RuleNotInForce => "before",
        VetoStatus::Held => "held",
        VetoStatus::Missed | VetoStatus::MissedUnlessUnrecordedHolidays => "missed",
        VetoStatus::MeetingUndated => "undated",
        VetoStatus::WindowOpen => "open",
        VetoStatus::NoMeetingRecorded => "none",
    }
}

fn finding_label(k: FindingKind) -> &'static str {
    match k {
        FindingKind::Breach => "BREACH: voted no on a draft judged credible",
        FindingKind::Abstained => "abstained (permitted)",
        FindingKind::NeedsAssessment => "needs assessment: voted no, draft not assessed",
        FindingKind::Conflict => "conflict: the assessors disagree",
        FindingKind::VotedNoNotCredible => "voted no; draft judged not credible",
        FindingKind::NotBound => "not bound: voted no before adhering",
        FindingKind::PossibleBreach => {
            "possible breach: voted no on a draft judged credible, adherence date unknown"
        }
        FindingKind::AbstainedUnassessed => "abstained on a draft nobody assessed (permitted)",
    }
}

fn vote_label(v: Vote) -> &'static str {
    match v {
        Vote::Yes => "yes",
        Vote::No => "no",
        Vote::Abstain => "abstain",
        Vote::Absent => "did not vote",
    }
}

fn compliance_section(out: &mut String, p: &Page) {
    let r = &p.compliance;
    let c = &r.counts;
    out.push_str("<section id=\"compliance\" aria-labelledby=\"h-compliance\">\n");
    out.push_str("<h2 id=\"h-compliance\"><span class=\"num\">5</span> Compliance: how supporters on the Council voted</h2>\n");
    out.push_str(
        "<p>For every recorded vote, each supporter bound by the Code that day is checked. \
         Whether a draft was <em>credible</em> is deliberately not defined by the Code: the ledger \
         records <em>assessments</em> by assessor keys, each citing UN documents, and a vote \
         against is a breach only when the trusted assessors judged the draft credible. A vote \
         against a draft nobody assessed is listed as <em>needs assessment</em>, never as a \
         breach.</p>\n",
    );
    let policy = match r.policy.kind {
        PolicyKind::AllAssessors => "every assessor key in the ledger",
        PolicyKind::Explicit => "only the assessor keys named on the command line (--trust)",
    };
    out.push_str(&format!(
        "<p><strong>Policy used:</strong> trust {policy} ({}).</p>\n",
        plural(r.policy.keys.len(), "key", "keys")
    ));
    if !r.policy.keys.is_empty() {
        out.push_str("<ul class=\"keys\">\n");
        for k in &r.policy.keys {
            out.push_str(&format!(
                "<li><span class=\"mono hash\">{}</span>{}{}{}</li>\n",
                Esc(k.key.to_hex()),
                k.holder
                    .as_ref()
                    .map_or(String::new(), |h| format!(", held by {}", Esc(h))),
                k.granted
                    .map_or(String::new(), |s| format!(", granted at event {}", Esc(s))),
                k.revoked
                    .map_or(String::new(), |s| format!(", revoked at event {}", Esc(s)))
            ));
        }
        out.push_str("</ul>\n");
    }
    let assessed = r
        .votes
        .iter()
        .filter(|v| !v.credibility.trusted.is_empty())
        .count();
    out.push_str(&format!(
        "<p>{} of the {} recorded votes are on drafts the trusted assessors assessed.</p>\n",
        assessed,
        r.votes.len()
    ));
    out.push_str("<table class=\"data counts\" id=\"compliance-counts\">\n<caption>Findings by kind</caption>\n");
    out.push_str("<thead><tr><th scope=\"col\">Finding</th><th scope=\"col\" class=\"r\">Count</th></tr></thead>\n<tbody>\n");
    for (k, n) in [
        (FindingKind::Breach, c.breach),
        (FindingKind::PossibleBreach, c.possible_breach),
        (FindingKind::Conflict, c.conflict),
        (FindingKind::NeedsAssessment, c.needs_assessment),
        (FindingKind::VotedNoNotCredible, c.voted_no_not_credible),
        (FindingKind::NotBound, c.not_bound),
        (FindingKind::Abstained, c.abstained),
        (FindingKind::AbstainedUnassessed, c.abstained_unassessed),
    ] {
        out.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td class=\"r\">{n}</td></tr>\n",
            finding_label(k)
        ));
    }
    out.push_str("</tbody>\n</table>\n");

    let findings: Vec<_> = r.findings().collect();
    out.push_str("<table class=\"data\" id=\"compliance-table\">\n");
    out.push_str("<caption>Every finding, by date of the vote</caption>\n");
    out.push_str(
        "<thead><tr><th scope=\"col\">Vote</th><th scope=\"col\">Draft</th><th scope=\"col\">State</th>\
         <th scope=\"col\">Voted</th><th scope=\"col\">Finding</th><th scope=\"col\">Credibility</th>\
         <th scope=\"col\">Why</th><th scope=\"col\" class=\"r\">Events</th></tr></thead>\n<tbody>\n",
    );
    if findings.is_empty() {
        out.push_str("<tr><td colspan=\"8\">No finding: no supporter bound by the Code voted against or abstained on a recorded draft.</td></tr>\n");
    }
    for f in &findings {
        let mut seqs = vec![f.vote_seq.to_string(), f.adherence.seq.to_string()];
        seqs.extend(f.assessments.iter().map(|s| s.to_string()));
        out.push_str(&format!(
            "<tr class=\"f-{}\"><td class=\"date\">{}</td><td class=\"mono nowrap\">{}</td><th scope=\"row\" class=\"mono\">{}</th><td>{}</td><td>{}</td><td>{}</td><td class=\"why\">{}</td><td class=\"r mono seq\">{}</td></tr>\n",
            f.kind.name(),
            Esc(f.date),
            Esc(f.draft),
            Esc(f.state),
            vote_label(f.vote),
            finding_label(f.kind),
            f.verdict.name(),
            Esc(&f.basis),
            Esc(seqs.join(", ")),
        ));
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn limits_section(out: &mut String, p: &Page) {
    let sup = &p.supporters;
    let listed = sup
        .supporters
        .iter()
        .filter(|s| s.precision == Precision::ListedBy)
        .count();
    let vi = &p.veto_initiative;
    let undated = vi
        .vetoes
        .iter()
        .flat_map(|v| v.meetings.iter())
        .chain(vi.other_meetings.iter().map(|m| &m.meeting))
        .filter(|m| m.date.is_none())
        .count();
    let assessed = p
        .compliance
        .votes
        .iter()
        .filter(|v| !v.credibility.trusted.is_empty())
        .count();
    out.push_str("<section id=\"limits\" aria-labelledby=\"h-limits\">\n");
    out.push_str("<h2 id=\"h-limits\"><span class=\"num\">6</span> What the record does not cover</h2>\n<ul>\n");
    out.push_str(&format!(
        "<li>The record holds what was recorded, no more. {} are recorded; if the depositary's \
         official list is longer, the missing states are simply not in this ledger \
         (<code>actledger supporters diff LIST.csv</code> compares the two).</li>\n",
        plural(sup.count, "supporter", "supporters")
    ));
    if listed > 0 {
        out.push_str(&format!(
            "<li>For {} the adherence date is only an upper bound (“listed by”).</li>\n",
            plural(listed, "supporter", "supporters")
        ));
    }
    if undated > 0 {
        out.push_str(&format!(
            "<li>{} no recorded date, so whether the rule held after those vetoes cannot be said.</li>\n",
            plural(undated, "Assembly meeting has", "Assembly meetings have")
        ));
    }
    if vi.other_meetings.iter().any(|m| m.follows.draft.is_none()) {
        out.push_str("<li>Vetoes of amendments without a draft symbol are not recorded as votes (the ledger records per-member votes on drafts).</li>\n");
    }
    out.push_str(&format!("<li>{}</li>\n", calendar_sentence(vi)));
    if assessed == 0 {
        out.push_str("<li>No credibility assessment is recorded under the policy used, so no vote can be a breach yet: a supporter's vote against a draft is reported as <em>needs assessment</em>.</li>\n");
    }
    out.push_str("</ul>\n</section>\n");
}

fn integrity_section(out: &mut String, p: &Page) {
    out.push_str("<section id=\"integrity\" aria-labelledby=\"h-integrity\">\n");
    out.push_str("<h2 id=\"h-integrity\"><span class=\"num\">7</span> Proof of integrity</h2>\n");
    out.push_str(
        "<p>Before writing this page, <code>actledger</code> recomputed every hash, signature and \
         rule of the ledger from its stored bytes. The result is the fingerprint below: change, \
         insert or remove any event and it changes. A signed <em>checkpoint</em> (a C2SP \
         transparency-log tree head) commits to the whole log in a form anyone can verify with \
         the log's public key alone, without trusting whoever published this page.</p>\n",
    );
    out.push_str("<table class=\"kv\" id=\"head-table\">\n<caption>The ledger when this page was written</caption>\n<tbody>\n");
    out.push_str(&format!(
        "<tr><th scope=\"row\">Origin</th><td class=\"mono\">{}</td></tr>\n",
        Esc(&p.origin)
    ));
    out.push_str(&format!(
        "<tr><th scope=\"row\">Events</th><td>{} (event 0 to {}), all verified</td></tr>\n",
        p.head.events,
        p.head.events.saturating_sub(1)
    ));
    out.push_str(&format!(
        "<tr><th scope=\"row\">Head (SHA-256 of the last event)</th><td class=\"mono hash\">{}</td></tr>\n",
        Esc(&p.head.hash)
    ));
    if let Some(c) = &p.cut {
        out.push_str(&format!(
            "<tr><th scope=\"row\">This page stops at event {}</th><td class=\"mono hash\">{}</td></tr>\n",
            c.seq,
            Esc(&c.hash)
        ));
    }
    out.push_str("</tbody>\n</table>\n");

    match &p.checkpoint {
        None => {
            out.push_str(
                "<div class=\"checkpoint none\" id=\"checkpoint\"><p><strong>No checkpoint yet:</strong> \
                 run <code>actledger checkpoint --key keys/log.key</code> to sign one, then export \
                 this page again. Until then the fingerprint above is the record's proof.</p></div>\n",
            );
        }
        Some(cp) => checkpoint_box(out, cp, p.head.events),
    }

    out.push_str("<h3>Check it yourself</h3>\n<pre class=\"commands\" id=\"verify-commands\">");
    out.push_str(
        "<span class=\"c\"># recompute every hash, signature and rule; prints the head above</span>\n\
         actledger verify\n",
    );
    match p.checkpoint.as_ref().and_then(|c| c.verifier_keys.first()) {
        None => out.push_str(
            "<span class=\"c\"># sign a checkpoint with the log key, then export this page again</span>\n\
             actledger checkpoint --key keys/log.key\n",
        ),
        Some(vkey) => {
            let (state, lower) = p.supporters.supporters.first().map_or(
                ("GBR".to_string(), "gbr".to_string()),
                |s| (s.state.to_string(), s.state.as_str().to_lowercase()),
            );
            out.push_str(&format!(
                "<span class=\"c\"># print the latest signed checkpoint (compare with the note above)</span>\n\
                 actledger checkpoint --latest\n\
                 <span class=\"c\"># prove one supporter's adherence against it, then check the proof offline</span>\n\
                 actledger prove --state {state} &gt; {lower}.proof\n\
                 actledger verify-proof --vkey '{vkey}' {lower}.proof\n\
                 <span class=\"c\"># or hand an auditor a snapshot that verifies without the database</span>\n\
                 actledger export snapshot --out snapshot\n\
                 actledger verify-snapshot snapshot --vkey '{vkey}'\n",
                state = Esc(state),
                lower = Esc(lower),
                vkey = Esc(vkey),
            ));
        }
    }
    out.push_str("</pre>\n");
    out.push_str(&format!(
        "<p class=\"note\">Run these with <code>--ledger DIR</code> (or <code>ACTLEDGER_DIR</code>) \
         pointing at a copy of the ledger. The same ledger always gives the same page, byte for \
         byte: export it again with <code>actledger export html --out FILE.html{}</code> and \
         compare.</p>\n",
        cutoff_flags(p)
    ));
    out.push_str("</section>\n");
}

fn cutoff_flags(p: &Page) -> String {
    let mut s = String::new();
    if let Some(d) = p.as_of {
        s.push_str(&format!(" --as-of {}", Esc(d)));
    }
    if let Some(n) = p.at_seq {
        s.push_str(&format!(" --at-seq {n}"));
    }
    s
}

fn checkpoint_box(out: &mut String, cp: &CheckpointInfo, events: u64) {
    out.push_str(
        "<div class=\"checkpoint\" id=\"checkpoint\">\n<h3>Latest signed checkpoint</h3>\n",
    );
    if cp.size == events {
        out.push_str(&format!(
            "<p>It commits to all {events} events of the ledger.</p>\n"
        ));
    } else if cp.size < events {
        out.push_str(&format!(
            "<p>It commits to the first {} of the {events} events; the {} recorded since will be \
             covered by the next checkpoint (<code>actledger checkpoint --key keys/log.key</code>).</p>\n",
            cp.size,
            events - cp.size
        ));
    }
    out.push_str("<table class=\"kv\" id=\"checkpoint-table\">\n<caption class=\"sr-only\">The checkpoint (C2SP tlog-checkpoint in a signed note)</caption>\n<tbody>\n");
    out.push_str(&format!(
        "<tr><th scope=\"row\">Origin</th><td class=\"mono\">{}</td></tr>\n",
        Esc(&cp.origin)
    ));
    out.push_str(&format!(
        "<tr><th scope=\"row\">Tree size</th><td>{} events</td></tr>\n",
        cp.size
    ));
    out.push_str(&format!(
        "<tr><th scope=\"row\">Root hash (base64)</th><td class=\"mono hash\">{}</td></tr>\n",
        Esc(&cp.root)
    ));
    for s in &cp.signatures {
        out.push_str(&format!(
            "<tr><th scope=\"row\">Signature</th><td>by <span class=\"mono\">{}</span>, key ID <span class=\"mono\">{}</span>: <span class=\"mono hash\">{}</span></td></tr>\n",
            Esc(&s.name),
            Esc(&s.key_id),
            Esc(&s.signature)
        ));
    }
    for k in &cp.verifier_keys {
        out.push_str(&format!(
            "<tr><th scope=\"row\">Log verifier key</th><td class=\"mono hash\">{}</td></tr>\n",
            Esc(k)
        ));
    }
    out.push_str("</tbody>\n</table>\n");
    out.push_str("<ul class=\"checks\">\n");
    for c in &cp.checks {
        out.push_str(&format!(
            "<li class=\"{}\">{} {}</li>\n",
            if c.ok { "ok" } else { "fail" },
            if c.ok {
                "<span aria-label=\"passed\">&#10003;</span>"
            } else {
                "<span aria-label=\"failed\">&#10007;</span>"
            },
            Esc(&c.what)
        ));
    }
    out.push_str("</ul>\n");
    out.push_str(&format!(
        "<p>The signed note, verbatim:</p>\n<pre class=\"note-text\" id=\"checkpoint-note\">{}</pre>\n</div>\n",
        Esc(&cp.note)
    ));
}

fn footer(out: &mut String, p: &Page) {
    out.push_str(&format!(
        "<footer><p>Generated by {} from the ledger <span class=\"mono\">{}</span> ({} events, head \
         <span class=\"mono\">{}</span>). This file contains no scripts and loads nothing: it works \
         offline and prints on A4.</p></footer>\n",
        Esc(&p.generator),
        Esc(&p.origin),
        p.head.events,
        Esc(p.head.hash.get(..16).unwrap_or(&p.head.hash)),
    ));
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
