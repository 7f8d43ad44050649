//! `outlook --on DATE [--draft SYMBOL] [--trust KEY]...`: the voting math before a Council
//! vote, from `core::projection::outlook` (the HTML report's "voting math" section prints the
//! same words).

use actledger_core::projection;
use anyhow::Result;

use super::reports::{cutoff, policy, print_json};
use super::{load_view, Ctx};
use crate::cli::OutlookArgs;
use crate::output;

pub fn outlook(ctx: &Ctx, a: OutlookArgs) -> Result<()> {
    let view = ctx.reading(|l| load_view(l, cutoff(l, &a.cutoff)?))?;
    let policy = policy(&a.trust, &view)?;
    let o = projection::outlook(&view, a.on, a.draft, &policy);
    if a.json {
        return print_json("outlook", &o);
    }
    output::line(&format!(
        "Outlook for a Council vote on {}: {} members recorded{}",
        o.date,
        o.count,
        if o.complete { "" } else { " (incomplete)" }
    ));
    output::line(&o.coverage.words);
    let rows: Vec<Vec<String>> = o
        .members
        .iter()
        .map(|m| {
            vec![
                m.state.to_string(),
                m.name.clone(),
                m.seat.name().to_string(),
                projection::outlook::Binding::of(&m.standing)
                    .name()
                    .to_string(),
                m.standing.explain(o.date),
                m.term_seq.to_string(),
            ]
        })
        .collect();
    output::table(
        &["STATE", "NAME", "SEAT", "CODE", "STANDING", "TERM SEQ"],
        &rows,
    );
    output::line("Voting math (Charter Art. 27(3)):");
    for w in &o.math.words {
        output::line(&format!("  {w}"));
    }
    if let Some(d) = &o.draft {
        output::line(&format!("Draft {}: {}", d.draft, d.words));
    }
    for n in &o.notes {
        output::line(&format!("Note: {n}"));
    }
    Ok(())
}
