//! Compute stage: turns a validated scenario into [`Results`] through the core.

mod model;

pub use model::*;
