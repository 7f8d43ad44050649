//! `demo`: a ledger built from the embedded real data, and a short report of what it shows.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use actledger::data::{self, EmbeddedFile};
use actledger::import::Kind;
use actledger_core::event::{KeyGranted, LedgerCreated};
use actledger_core::outcome::Outcome;
use actledger_core::projection::{self, Cutoff};
use actledger_core::{Date, EventBody, Origin, Role, SigningKey, Text};
use actledger_store::Ledger;
use anyhow::{bail, Context, Result};

use super::{kebab, load_view, Ctx};
use crate::cli::DemoArgs;
use crate::{keyfile, output};
use actledger::import::ingest::{import_into, ImportSummary, Input};

const ORIGIN: &str = "actledger.example/act-code-demo";

pub fn run(ctx: &Ctx, a: DemoArgs) -> Result<()> {
    let dir = match &ctx.ledger {
        Some(d) => {
            if d.join("db").exists() {
                bail!(
                    "{} already holds a ledger; give demo a new directory",
                    d.display()
                );
            }
            d.clone()
        }
        None => tempfile::Builder::new()
            .prefix("actledger-demo-")
            .tempdir()
            .context("cannot create a temporary directory")?
            .keep(),
    };
    let started = std::time::Instant::now();
    let keys = make_keys(&dir)?;
    let admin = &keys[0].1;
    let genesis = LedgerCreated {
        origin: Origin::new(ORIGIN)?,
        admin: admin.public(),
        admin_holder: Text::new("demo administrator")?,
        description: Text::new(
            "Demo: the ACT Code of Conduct record from actledger's embedded data",
        )?,
    };
    let (mut ledger, _) = Ledger::create(&dir, admin, genesis)?;
    let grants = keys[1..].iter().map(|(role, k)| {
        EventBody::KeyGranted(KeyGranted {
            key: k.public(),
            role: *role,
            holder: Text::new(format!("demo {}", role.name())).unwrap_or_else(|_| Text::empty()),
            note: Text::empty(),
        })
    });
    ledger.append_all(admin, grants.collect::<Vec<_>>())?;
    let key_of = |role: Role| keys.iter().find(|(r, _)| *r == role).map(|(_, k)| k);
    let (Some(depositary), Some(recorder)) = (key_of(Role::Depositary), key_of(Role::Recorder))
    else {
        bail!("demo keys missing");
    };
    let plan: [(Kind, EmbeddedFile, &SigningKey); 6] = [
        (Kind::Members, data::MEMBERS, recorder),
        (Kind::Supporters, data::SUPPORTERS, depositary),
        (Kind::Vetoes, data::VETOES, recorder),
        (Kind::Votes, data::VOTES, recorder),
        (Kind::Meetings, data::MEETINGS, recorder),
        (Kind::Holidays, data::HOLIDAYS, recorder),
    ];
    let mut imports: Vec<ImportSummary> = Vec::new();
    for (kind, file, key) in plan {
        let input = Input::Bytes {
            name: format!("{} (embedded)", file.path),
            bytes: file.text.as_bytes(),
        };
        imports.push(import_into(
            &mut ledger,
            key,
            kind,
            &input,
            &data::COMPLETE_HOLIDAY_YEARS,
            false,
            |_| {},
        )?);
    }
    let summary = match ledger.verify(|_| {})? {
        Ok(s) => s,
        Err(e) => bail!("the demo ledger failed verification: {e}"),
    };
    let view = load_view(&ledger, Cutoff::default())?;
    drop(ledger);

    let policy = projection::TrustPolicy::AllAssessors.resolve(&view);
    if a.json {
        let council_day = council_day(&view);
        output::json(&serde_json::json!({
            "type": "demo",
            "ledger": dir,
            "keys": keys.iter().map(|(r, _)| (r.name(), key_path(&dir, *r))).collect::<std::collections::BTreeMap<_, _>>(),
            "imports": imports,
            "verify": {"events": summary.events, "head": summary.head},
            "supporters": projection::supporters(&view),
            "council": council_day.map(|d| projection::council_on(&view, d)),
            "outlook": council_day.map(|d| projection::outlook(&view, d, None, &policy)),
            "votes": projection::vote_outcomes(&view),
            "veto_initiative": projection::veto_initiative(&view, None)?,
        }));
        return Ok(());
    }

    let p = output::line;
    p("actledger demo: the public record of the ACT Code of Conduct, built from the embedded real data");
    p("");
    p(&format!("Ledger     {}  (origin {ORIGIN})", dir.display()));
    p(&format!(
        "Keys       {}/keys/{{administrator,depositary,recorder,assessor,log}}.key (mode 0600)",
        dir.display()
    ));
    for s in &imports {
        p(&format!("Imported   {}", s.describe()));
        for sk in &s.skipped {
            p(&format!(
                "           line {}: not imported: {}",
                sk.line, sk.reason
            ));
        }
    }
    p(&format!(
        "Verified   {} events: every hash, signature and rule recomputed from the stored bytes; head {}",
        summary.events, summary.head
    ));
    p(&format!(
        "           ({:.1} s)",
        started.elapsed().as_secs_f64()
    ));

    // 1. Supporters.
    let sup = projection::supporters(&view);
    p("");
    p(&format!("1. Supporters recorded: {}", sup.count));
    let exact = sup
        .supporters
        .iter()
        .filter(|s| s.precision == projection::Precision::Exact)
        .count();
    p(&format!(
        "   {} with the letter's own date, {} only as 'listed by' a date (an upper bound).",
        exact,
        sup.count - exact
    ));
    let codes: Vec<String> = sup.supporters.iter().map(|s| s.state.to_string()).collect();
    for chunk in codes.chunks(19) {
        p(&format!("   {}", chunk.join(" ")));
    }

    // 2. The Council of the last recorded year.
    p("");
    if let Some(day) = council_day(&view) {
        let c = projection::council_on(&view, day);
        p(&format!(
            "2. Security Council on {day} (last recorded year): {} members, {} bound by the Code",
            c.count, c.supporters
        ));
        let rows: Vec<Vec<String>> = c
            .members
            .iter()
            .map(|m| {
                vec![
                    format!("   {}", m.state),
                    m.name.clone(),
                    m.seat.name().to_string(),
                    m.standing.label(),
                ]
            })
            .collect();
        output::table(&["   STATE", "NAME", "SEAT", "ACT CODE"], &rows);
        // The voting math of that day, in the words of `actledger outlook`.
        let o = projection::outlook(&view, day, None, &policy);
        p(&format!("   Voting math on {day} (Charter Art. 27(3)), as `actledger outlook --on {day}` prints it:"));
        for w in &o.math.words {
            p(&format!("   - {w}"));
        }
        p(&format!("   {}", o.coverage.words));
    }

    // 3. Vetoes.
    let votes = projection::vote_outcomes(&view);
    let vetoes: Vec<_> = votes
        .votes
        .iter()
        .filter(|v| matches!(v.result.outcome, Outcome::Vetoed { .. }))
        .collect();
    p("");
    let tally_vetoes: Vec<_> = votes
        .tally_votes
        .iter()
        .filter(|v| !v.vetoed_by.is_empty())
        .collect();
    p(&format!(
        "3. Vetoes since 2015 (Charter Art. 27): {} — {} computed from every member's recorded vote, {} on texts known only by their tally and the members against (marked *)",
        vetoes.len() + tally_vetoes.len(),
        vetoes.len(),
        tally_vetoes.len()
    ));
    let mut rows: Vec<(actledger_core::Date, Vec<String>)> = vetoes
        .iter()
        .map(|v| {
            let by = match &v.result.outcome {
                Outcome::Vetoed { by } => {
                    by.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("+")
                }
                _ => String::new(),
            };
            (
                v.date,
                vec![
                    format!("   {}", v.date),
                    v.draft.to_string(),
                    by,
                    v.result.tally.to_string(),
                    v.subject
                        .as_ref()
                        .map(|s| truncate(s.as_str(), 60))
                        .unwrap_or_default(),
                ],
            )
        })
        .collect();
    for v in &tally_vetoes {
        let subject = match &v.text {
            actledger_core::event::VotedText::Amendment { described, .. } => {
                truncate(described.as_str(), 60)
            }
            actledger_core::event::VotedText::Draft(_) => String::new(),
        };
        rows.push((
            v.date,
            vec![
                format!("   {}", v.date),
                format!("{}*", v.label),
                v.vetoed_by
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join("+"),
                v.tally.map_or("unknown".into(), |t| t.to_string()),
                subject,
            ],
        ));
    }
    rows.sort_by_key(|(d, _)| *d);
    let rows: Vec<Vec<String>> = rows.into_iter().map(|(_, r)| r).collect();
    output::table(
        &["   DATE", "DRAFT", "VETOED BY", "YES-NO-ABST", "SUBJECT"],
        &rows,
    );
    for v in &tally_vetoes {
        p(&format!("   * {} of {}: {}", v.label, v.date, v.basis));
    }
    for s in imports.iter().filter(|s| s.kind == "vetoes") {
        for sk in &s.skipped {
            p(&format!(
                "   not in the ledger: {} (vetoes.csv line {})",
                sk.reason, sk.line
            ));
        }
    }

    // 4. Veto initiative.
    let vi = projection::veto_initiative(&view, None)?;
    p("");
    p(&format!(
        "4. Veto initiative (GA res. 76/262): an Assembly meeting within {} working days of each veto since {}",
        vi.working_day_limit, vi.rule_in_force_from
    ));
    let rows: Vec<Vec<String>> = vi
        .vetoes
        .iter()
        .filter(|v| v.date >= vi.rule_in_force_from)
        .map(|v| {
            let first = v.meetings.first();
            vec![
                format!("   {}", v.date),
                v.draft.to_string(),
                v.vetoed_by
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join("+"),
                first
                    .and_then(|m| m.date)
                    .map_or("-".into(), |d| d.to_string()),
                first
                    .and_then(|m| m.count.as_ref())
                    .map_or("-".into(), |c| c.working_days.to_string()),
                kebab(&v.status),
            ]
        })
        .collect();
    output::table(
        &["   VETO", "DRAFT", "BY", "MEETING", "WORKING DAYS", "RULE"],
        &rows,
    );
    for m in &vi.other_meetings {
        p(&format!(
            "   also: meeting {} after the veto of {} ({}), which the ledger does not record as a vote",
            m.meeting.date.map_or("(undated)".into(), |d| d.to_string()),
            m.follows.date,
            kebab(&m.reason)
        ));
    }
    let years: Vec<String> = vi
        .calendar
        .years
        .iter()
        .map(|y| format!("{}{}", y.year, if y.complete { "" } else { " (partial)" }))
        .collect();
    p(&format!(
        "   Working days exclude weekends and the holidays of calendar '{}', recorded for {}; other years count weekends only.",
        vi.calendar.name.as_deref().unwrap_or("none"),
        if years.is_empty() { "no year".to_string() } else { years.join(", ") }
    ));
    let c = &vi.counts;
    p(&format!(
        "   Since 2022-04-26: {} held, {} missed, {} missed unless unrecorded holidays, {} with an undated meeting, {} with no meeting recorded.",
        c.held, c.missed, c.missed_unless_unrecorded_holidays, c.meeting_undated, c.no_meeting_recorded
    ));

    // 5. Gaps.
    p("");
    p("5. What the data does not cover");
    p("   - The supporter list is partial: the Code had 104 supporters at its launch (23 October 2015) and");
    p(&format!(
        "     well over 130 by the mid-2020s; only the {} states named by the cited sources are recorded.",
        sup.count
    ));
    p("     The depositary's full list can be imported with `actledger import supporters FILE.csv`.");
    p("     No depositary's attestation is recorded, so a state with no adherence is 'no adherence recorded',");
    p("     never 'not a supporter'; with the depositary's published list at hand (and its key), record");
    p("     `actledger record --key keys/depositary.key attestation --date D --count N --list LIST.csv --url URL`.");
    let undated = view
        .meetings()
        .iter()
        .filter(|m| m.fact.date.is_none())
        .count();
    let unrecorded: usize = imports
        .iter()
        .filter(|s| s.kind == "vetoes")
        .map(|s| s.skipped.len())
        .sum();
    p(&format!(
        "   - {undated} Assembly meetings have no recorded date; {unrecorded} vetoes were cast on texts without a draft"
    ));
    p("     symbol or per-member votes and are not recorded as votes.");
    p(&format!(
        "   - UN holidays are recorded for {} only: elsewhere working days exclude weekends alone.",
        if years.is_empty() {
            "no year".to_string()
        } else {
            years.join(", ")
        }
    ));
    p("   - No credibility assessments are recorded: a supporter's no vote is 'needs assessment', never a breach,");
    p("     until an assessor key records one (`actledger record --key keys/assessor.key assessment ...`).");
    p("");
    p("Go on with this ledger:");
    p(&format!("   export ACTLEDGER_DIR={}", dir.display()));
    p("   actledger verify");
    p("   actledger supporters --as-of 2015-10-23");
    p("   actledger outlook --on 2022-09-30 --json   # the Council that voted on S/2022/720");
    p("   actledger log --from 250");
    Ok(())
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

/// Today, if the last recorded year of membership includes it; else 1 January of that year.
fn council_day(view: &projection::View) -> Option<Date> {
    let last = view.terms().values().flatten().map(|t| t.fact.to).max()?;
    let today = actledger_core::Timestamp::now().date()?;
    if today <= last && today.year() == last.year() {
        Some(today)
    } else {
        Date::from_ymd(last.year(), 1, 1).ok()
    }
}

fn key_path(dir: &Path, role: Role) -> PathBuf {
    dir.join("keys").join(format!("{}.key", role.name()))
}

/// One fresh key per role, written to `DIR/keys/<role>.key` (0600, directory 0700).
fn make_keys(dir: &Path) -> Result<Vec<(Role, SigningKey)>> {
    let kd = dir.join("keys");
    std::fs::create_dir_all(&kd).with_context(|| format!("cannot create {}", kd.display()))?;
    std::fs::set_permissions(&kd, std::fs::Permissions::from_mode(0o700))?;
    let mut out = Vec::new();
    for role in Role::ALL {
        let k = SigningKey::generate();
        keyfile::write_new(&key_path(dir, role), &k)?;
        out.push((role, k));
    }
    Ok(out)
}
