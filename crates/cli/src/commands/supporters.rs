//! `supporters`: the list of supporters, replayed from the log.

use std::collections::BTreeMap;

use actledger_core::chain;
use actledger_core::event::{AdherenceLetter, EventBody, Fact};
use actledger_core::{Seq, StateCode};
use actledger_store::LogReader;
use anyhow::{Context, Result};

use super::Ctx;
use crate::cli::SupportersArgs;
use crate::output;

pub fn run(ctx: &Ctx, a: SupportersArgs) -> Result<()> {
    let ledger = ctx.open()?;
    let mut facts: BTreeMap<Seq, AdherenceLetter> = BTreeMap::new();
    for item in ledger.scan(0) {
        let (seq, bytes) = item?;
        if a.at_seq.is_some_and(|n| seq > n) {
            break;
        }
        let ev = chain::decode_event(&bytes)
            .with_context(|| format!("seq {seq}: run `actledger verify`"))?;
        match ev.unsigned.body {
            EventBody::Fact(Fact::AdherenceLetter(l)) => {
                facts.insert(Seq(seq), l);
            }
            EventBody::Correction(c) => {
                if let Fact::AdherenceLetter(l) = c.replacement {
                    facts.insert(c.target, l);
                }
            }
            _ => {}
        }
    }
    let list: BTreeMap<StateCode, (Seq, AdherenceLetter)> = facts
        .into_iter()
        .filter(|(_, l)| a.as_of.is_none_or(|d| l.date.date() <= d))
        .map(|(s, l)| (l.state, (s, l)))
        .collect();
    let mut rows = Vec::new();
    for (state, (seq, l)) in &list {
        if a.json {
            output::json(&serde_json::json!({
                "type": "supporter",
                "state": state,
                "name": state.name(),
                "date": l.date.date(),
                "date_precision": l.date.precision(),
                "received": l.received,
                "instrument": l.instrument,
                "source": l.source,
                "seq": seq,
            }));
        } else {
            rows.push(vec![
                state.to_string(),
                state.name().to_string(),
                l.date.date().to_string(),
                l.date.precision().to_string(),
                l.instrument.name().to_string(),
                seq.to_string(),
            ]);
        }
    }
    if !a.json {
        output::table(
            &["STATE", "NAME", "DATE", "PRECISION", "INSTRUMENT", "SEQ"],
            &rows,
        );
        output::line(&format!("{} supporters", list.len()));
    }
    Ok(())
}
