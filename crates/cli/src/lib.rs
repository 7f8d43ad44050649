//! Library half of the `actledger` command: the CSV importers and the embedded dataset, kept
//! out of the binary so tests and fuzz targets can drive them directly.

#![forbid(unsafe_code)]

pub mod data;
pub mod import;
