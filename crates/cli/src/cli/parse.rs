//! The value parsers of the command line: each a core type's own parser, its error as
//! clap shows it.

use super::*;

/// An RFC 3339 time, or a day (its last second, UTC), as Unix seconds.
pub fn parse_datetime(s: &str) -> Result<i64, String> {
    if let Ok(t) = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
        return Ok(t.unix_timestamp());
    }
    let d = parse_date(s).map_err(|_| {
        format!("expected an RFC 3339 time (2026-12-02T16:00:00Z) or a day (2026-12-02), got {s:?}")
    })?;
    Ok(d.as_time()
        .with_hms(23, 59, 59)
        .map_or(0, |t| t.assume_utc().unix_timestamp()))
}

pub fn parse_state(s: &str) -> Result<StateCode, String> {
    s.trim()
        .parse()
        .map_err(|e: actledger_core::ValueError| e.to_string())
}
pub fn parse_date(s: &str) -> Result<Date, String> {
    s.parse()
        .map_err(|e: actledger_core::ValueError| e.to_string())
}
pub fn parse_draft(s: &str) -> Result<DraftSymbol, String> {
    s.parse()
        .map_err(|e: actledger_core::ValueError| e.to_string())
}
pub fn parse_symbol(s: &str) -> Result<UnSymbol, String> {
    UnSymbol::new(s).map_err(|e| e.to_string())
}
pub fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).map_err(|e| e.to_string())
}
pub fn parse_seat(s: &str) -> Result<Seat, String> {
    Seat::parse(s).map_err(|e| e.to_string())
}
pub fn parse_instrument(s: &str) -> Result<Instrument, String> {
    Instrument::parse(s).map_err(|e| e.to_string())
}
pub fn parse_crime(s: &str) -> Result<AtrocityCrime, String> {
    AtrocityCrime::parse(s).map_err(|e| e.to_string())
}
pub fn parse_format(s: &str) -> Result<MeetingFormat, String> {
    MeetingFormat::parse(s).map_err(|e| e.to_string())
}
pub fn parse_yes_no(s: &str) -> Result<bool, String> {
    match s {
        "yes" | "true" => Ok(true),
        "no" | "false" => Ok(false),
        _ => Err(format!("expected yes or no, got {s:?}")),
    }
}
pub fn parse_veto_ref(s: &str) -> Result<actledger_core::event::VetoRef, String> {
    let (d, draft) = match s.split_once(':') {
        Some((d, x)) => (d, Some(parse_draft(x)?)),
        None => (s, None),
    };
    Ok(actledger_core::event::VetoRef {
        date: parse_date(d)?,
        draft,
    })
}
pub fn parse_holiday(s: &str) -> Result<(Date, String), String> {
    let (d, name) = s
        .split_once('=')
        .ok_or_else(|| format!("expected DATE=NAME, got {s:?}"))?;
    Ok((parse_date(d)?, name.to_string()))
}
