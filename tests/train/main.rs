//! The trainer against independent references computed here, its
//! determinism, its budget, and the article's claims about training as numbers.

mod claims;
mod classification;
mod common;
mod determinism;
mod divergence;
mod gradients;
mod landscape;
mod methods;
mod regression;
