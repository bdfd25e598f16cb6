//! Assemble stage: the HTML report from results and drawn figures.
