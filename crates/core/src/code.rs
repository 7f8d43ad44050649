//! Facts about the ACT Code of Conduct itself that the rules and projections rely on.

use crate::date::Date;

/// The day from which the Code exists: **1 September 2015**, the date of the ACT Group's
/// Explanatory Note that "submits the final text of the Code of Conduct" and lists its first
/// supporters (25 ACT members, with Belize, the Netherlands, Spain and Ukraine).
///
/// Sources: Center for UN Reform, "ACT members release final text of proposed SC Code of
/// Conduct" (8 September 2015, <http://centerforunreform.org/?q=node/671>: "On 1 September,
/// 2015, members of the ACT Group released their final text"); the Explanatory Note itself,
/// dated 1 September 2015 (reproduced in the H2O casebook "International Law and Human Rights
/// (Fall 2016)", 3.4.3). A proposal is reported for July 2015 (Global Centre for R2P: "In July
/// 2015, the ACT Group proposed a Code of Conduct"), but with no day and as a draft still under
/// consultation; the launch was 23 October 2015 and the text was circulated as
/// A/70/621–S/2015/978 on 14 December 2015. The earliest adherence in `data/` (states listed as
/// supporters by 1 September 2015) is on this day, never before it.
///
/// No adherence can be dated before it (the rules refuse one), and a Council vote before it is
/// "not judged: before the Code" (as a veto before resolution 76/262 is not judged under it).
pub fn code_exists_from() -> Date {
    // A constant within the supported range (1945-9999); the error branch cannot be taken.
    Date::from_time(time::macros::date!(2015 - 09 - 01))
        .unwrap_or_else(|_| unreachable!("2015-09-01 is in range"))
}

/// Where [`code_exists_from`] comes from, for reports.
pub const CODE_EXISTS_FROM_SOURCE: &str =
    "the ACT Group's Explanatory Note of 1 September 2015 releasing the final text \
     (http://centerforunreform.org/?q=node/671)";

#[cfg(test)]
mod tests {
    #[test]
    fn the_code_exists_from_1_september_2015() {
        assert_eq!(super::code_exists_from().to_string(), "2015-09-01");
    }
}
