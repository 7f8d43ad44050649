//! The real dataset of `data/` (see data/README.md for sources), compiled into the binary so
//! `actledger demo` needs no files at run time.

/// One embedded file.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedFile {
    /// Path in the repository.
    pub path: &'static str,
    /// Contents.
    pub text: &'static str,
}

macro_rules! embed {
    ($name:literal) => {
        EmbeddedFile {
            path: concat!("data/", $name),
            text: include_str!(concat!("../../../data/", $name)),
        }
    };
}

/// data/README.md: what each file holds, its sources and its gaps.
pub const README: EmbeddedFile = embed!("README.md");
/// Supporters named by sources (partial list).
pub const SUPPORTERS: EmbeddedFile = embed!("supporters.csv");
/// Security Council membership 2015-2026.
pub const MEMBERS: EmbeddedFile = embed!("sc_members.csv");
/// Vetoes 2015-2025.
pub const VETOES: EmbeddedFile = embed!("vetoes.csv");
/// Member votes on the vetoed drafts.
pub const VOTES: EmbeddedFile = embed!("sc_votes.csv");
/// Assembly meetings after vetoes.
pub const MEETINGS: EmbeddedFile = embed!("veto_initiative_meetings.csv");
/// UN Headquarters holidays (some years).
pub const HOLIDAYS: EmbeddedFile = embed!("un_holidays.csv");
/// UN members and observers.
pub const UN_MEMBERS: EmbeddedFile = embed!("un_members.csv");

/// Years for which data/README.md states the holiday list is complete.
pub const COMPLETE_HOLIDAY_YEARS: [u16; 3] = [2017, 2020, 2024];
