//! PNG from the SVG already drawn: resvg rasterises it at the final size with
//! anti-aliasing, with the embedded DejaVu Sans as its only font, so the PNG
//! is the same picture as the SVG (the SVG's `sans-serif` text is set in
//! DejaVu Sans, as the bitmap backend did) and nothing depends on system fonts.

use std::sync::{Arc, OnceLock};

use resvg::tiny_skia::{Color, Pixmap, Transform};
use resvg::usvg;

/// The font database with DejaVu Sans (regular and bold) as `sans-serif`, built once.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            db.load_font_data(dejavu::sans::regular().to_vec());
            db.load_font_data(dejavu::sans::bold().to_vec());
            db.set_sans_serif_family("DejaVu Sans");
            Arc::new(db)
        })
        .clone()
}

/// Rasterise `svg` to RGB pixels of `size` (the SVG's own aspect ratio).
pub(super) fn rasterise(svg: &str, size: (u32, u32)) -> Result<Vec<u8>, String> {
    let options = usvg::Options {
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| format!("reading SVG: {e}"))?;
    let mut pixmap = Pixmap::new(size.0, size.1)
        .ok_or_else(|| format!("cannot allocate a {}×{} image", size.0, size.1))?;
    pixmap.fill(Color::WHITE);
    let drawn = tree.size();
    let transform = Transform::from_scale(
        size.0 as f32 / drawn.width(),
        size.1 as f32 / drawn.height(),
    );
    resvg::render(&tree, transform, &mut pixmap.as_mut());
    // Opaque on white: premultiplied RGBA is plain RGBA; drop the alpha.
    let mut rgb = Vec::with_capacity(size.0 as usize * size.1 as usize * 3);
    for pixel in pixmap.data().chunks_exact(4) {
        rgb.extend_from_slice(&pixel[..3]);
    }
    Ok(rgb)
}
