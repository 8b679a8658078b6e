//! Fuzz targets for `quectel-ssl`'s wire-facing code: the invariants they
//! check live in [`checks`] (see `fuzz/README.md`).

pub mod checks;
