//! Draw stage: figures from [`crate::compute::FigureData`] to SVG and PNG bytes.
