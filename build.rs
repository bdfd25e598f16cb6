//! Writes the fonts the PNGs lay text out with (DejaVu Sans without some
//! tables, see `src/plot/font_tables.rs`) into the build's output folder,
//! where `src/plot/raster_fonts.rs` embeds them with `include_bytes!`.
//!
//! Why at build time: made at run time, each of the four fonts (about
//! 700 KB) was a fresh copy on the heap, and writing those copies was about
//! 730 of a render's 4,100 page faults (about 1.5 ms of system time). Embedded,
//! they are read where the binary is mapped, and only the pages of the
//! tables actually read are touched.

#[path = "src/plot/font_tables.rs"]
mod font_tables;

use font_tables::{without_tables, Weight, STRIPPED};

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/plot/font_tables.rs");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for (name, weight, left_out) in STRIPPED {
        let font = match weight {
            Weight::Regular => dejavu::sans::regular(),
            Weight::Bold => dejavu::sans::bold(),
        };
        let path = out.join(name);
        std::fs::write(&path, without_tables(font, left_out))
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }
}
