//! QR codes of batch labels: inline SVG for the printable sheet (sharp at any printer's
//! resolution, nothing to fetch), and a PNG of one code for whoever needs an image.

use qrcode::{Color, EcLevel, QrCode};

/// Modules of white around the code, as the QR specification asks for.
const QUIET_ZONE: usize = 4;

/// The code's modules, dark or not, row by row, with the quiet zone; and its width.
fn modules(text: &str) -> Option<(Vec<bool>, usize)> {
    // M: a label survives a scuff or a fold (15% of the code can be lost).
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let size = width.checked_add(QUIET_ZONE.checked_mul(2)?)?;
    let mut dark = vec![false; size.checked_mul(size)?];
    for (index, color) in colors.iter().enumerate() {
        if *color == Color::Dark {
            let x = index % width + QUIET_ZONE;
            let y = index / width + QUIET_ZONE;
            if let Some(cell) = dark.get_mut(y * size + x) {
                *cell = true;
            }
        }
    }
    Some((dark, size))
}

/// The code as an inline `<svg>` element, one unit per module.
pub(crate) fn svg(text: &str, label: &str) -> Option<String> {
    let (dark, size) = modules(text)?;
    // One rectangle per horizontal run of dark modules keeps the sheet light.
    let mut path = String::new();
    for (y, row) in dark.chunks(size).enumerate() {
        let mut x = 0;
        while x < row.len() {
            let run = row.iter().skip(x).take_while(|on| **on).count();
            if run > 0 {
                path.push_str(&format!("M{x} {y}h{run}v1h-{run}z"));
                x += run;
            } else {
                x += 1;
            }
        }
    }
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" role=\"img\" aria-label=\"{}\" shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>",
        escape(label)
    ))
}

/// The code as a greyscale PNG, `scale` pixels per module.
pub(crate) fn png(text: &str, scale: usize) -> Option<Vec<u8>> {
    let (dark, size) = modules(text)?;
    let pixels_wide = size.checked_mul(scale)?;
    let mut pixels = Vec::with_capacity(pixels_wide.checked_mul(pixels_wide)?);
    for y in 0..pixels_wide {
        for x in 0..pixels_wide {
            let on = dark.get((y / scale) * size + x / scale).copied()?;
            pixels.push(if on { 0u8 } else { 255u8 });
        }
    }
    let side = u32::try_from(pixels_wide).ok()?;
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, side, side);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().ok()?;
        writer.write_image_data(&pixels).ok()?;
        writer.finish().ok()?;
    }
    Some(out)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_their_quiet_zone_and_render() {
        let (dark, size) = modules("https://shop.example.org/verify/SHAM-2026-01").unwrap();
        assert_eq!(dark.len(), size * size);
        // The first rows are the quiet zone; the finder pattern starts right after it.
        assert!(!dark[..size * QUIET_ZONE].iter().any(|d| *d));
        assert!(dark[QUIET_ZONE * size + QUIET_ZONE]);
        let svg = svg("x", "a \"label\"").unwrap();
        assert!(svg.starts_with("<svg "));
        assert!(svg.contains("aria-label=\"a &quot;label&quot;\""));
        let png = png("x", 4).unwrap();
        assert_eq!(&png[1..4], b"PNG");
    }
}
