//! Library half of the `actledger` command: the CSV importers, the embedded dataset and the
//! HTML report renderer, kept out of the binary so tests and fuzz targets can drive them directly.

#![forbid(unsafe_code)]

pub mod allocator;
pub mod browser;
pub mod data;
pub mod fsutil;
pub mod html;
pub mod import;
