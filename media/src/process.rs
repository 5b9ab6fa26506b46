//! What an uploaded file must be, and what is kept of it.
//!
//! The type is judged by the content (the `image` crate's magic-byte guess), never by
//! the name or the declared type. The pixel count comes from the header before any
//! pixel is decoded, so a decompression bomb (a small file whose header claims
//! 20000×20000) is refused without allocating for it; the decoder runs with limits too.
//! The image is then turned as the camera's EXIF orientation says and encoded afresh:
//! the encoders write pixels only, so EXIF (the phone's GPS position among it), XMP and
//! every other metadata block of the upload are gone from everything stored.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, imageops::FilterType};

use crate::Rejection;

/// At most this many bytes an upload.
pub const MAX_UPLOAD_BYTES: u64 = 10 * 1024 * 1024;
/// At most this many pixels (width × height), read from the header.
pub const MAX_PIXELS: u64 = 40_000_000;
/// The rendition widths: phones on slow links take the small ones.
pub const RENDITION_WIDTHS: [u32; 4] = [160, 320, 640, 1280];
/// JPEG quality of what is stored: photos look the same to the eye at a fraction of
/// the upload's size.
const JPEG_QUALITY: u8 = 82;

/// The formats accepted, by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Jpeg,
    Png,
    WebP,
}

impl SourceFormat {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Jpeg => "jpeg",
            Self::Png => "png",
            Self::WebP => "webp",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "jpeg" => Some(Self::Jpeg),
            "png" => Some(Self::Png),
            "webp" => Some(Self::WebP),
            _ => None,
        }
    }

    const fn image_format(self) -> ImageFormat {
        match self {
            Self::Jpeg => ImageFormat::Jpeg,
            Self::Png => ImageFormat::Png,
            Self::WebP => ImageFormat::WebP,
        }
    }
}

/// How an image is stored: JPEG for opaque pictures (photos), lossless WebP for
/// pictures with transparency (a logo), which JPEG cannot carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum StoredFormat {
    Jpeg,
    WebP,
}

impl StoredFormat {
    pub const fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::WebP => "image/webp",
        }
    }

    pub const fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::WebP => "webp",
        }
    }

    /// The format of a stored object by its key's extension.
    pub fn from_extension(extension: &str) -> Option<Self> {
        match extension {
            "jpg" => Some(Self::Jpeg),
            "webp" => Some(Self::WebP),
            _ => None,
        }
    }
}

/// An image encoded afresh, without metadata.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub bytes: Vec<u8>,
    pub format: StoredFormat,
    pub width: u32,
    pub height: u32,
}

/// The accepted upload: its format, and its pixels turned upright.
#[derive(Debug)]
pub struct Accepted {
    pub source: SourceFormat,
    pub image: DynamicImage,
}

/// The format of `bytes` by content, if it is one we take.
pub fn sniff(bytes: &[u8]) -> Result<SourceFormat, Rejection> {
    match image::guess_format(bytes) {
        Ok(ImageFormat::Jpeg) => Ok(SourceFormat::Jpeg),
        Ok(ImageFormat::Png) => Ok(SourceFormat::Png),
        Ok(ImageFormat::WebP) => Ok(SourceFormat::WebP),
        _ => Err(Rejection::UnsupportedFormat),
    }
}

fn unreadable(error: impl std::fmt::Display) -> Rejection {
    Rejection::Unreadable(error.to_string())
}

/// Checks an upload and decodes it upright. CPU-bound: call it off the async threads.
pub fn accept(bytes: &[u8]) -> Result<Accepted, Rejection> {
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_UPLOAD_BYTES {
        return Err(Rejection::TooLarge {
            max_bytes: MAX_UPLOAD_BYTES,
        });
    }
    let source = sniff(bytes)?;
    // The JPEG decoder fills a cut-off picture with grey rather than failing: a JPEG
    // must reach the end-of-image marker after its last scan (an EXIF thumbnail's own
    // marker, before that scan, does not count).
    if source == SourceFormat::Jpeg {
        let last_scan = bytes.windows(2).rposition(|pair| pair == [0xFF, 0xDA]);
        let ended = last_scan.is_some_and(|scan| {
            bytes
                .get(scan..)
                .is_some_and(|rest| rest.windows(2).any(|pair| pair == [0xFF, 0xD9]))
        });
        if !ended {
            return Err(unreadable("the JPEG ends before its end-of-image marker"));
        }
    }
    // The header alone: nothing is decoded yet.
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), source.image_format())
        .into_dimensions()
        .map_err(unreadable)?;
    let pixels = u64::from(width) * u64::from(height);
    if pixels > MAX_PIXELS {
        return Err(Rejection::TooManyPixels {
            width,
            height,
            max_pixels: MAX_PIXELS,
        });
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), source.image_format());
    let mut limits = Limits::default();
    // Belt and braces: the decoder itself refuses more than the header promised.
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(MAX_PIXELS * 8);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    // A camera stores the picture as the sensor saw it and says in EXIF how to turn it.
    let orientation = decoder.orientation().map_err(unreadable)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);
    Ok(Accepted { source, image })
}

/// Encodes `image` for storage: JPEG, or lossless WebP when it has transparency.
pub fn encode(image: &DynamicImage) -> Result<Encoded, image::ImageError> {
    let mut bytes = Vec::new();
    let format = if image.color().has_alpha() {
        image
            .to_rgba8()
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::WebP)?;
        StoredFormat::WebP
    } else {
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY);
        image.to_rgb8().write_with_encoder(encoder)?;
        StoredFormat::Jpeg
    };
    Ok(Encoded {
        bytes,
        format,
        width: image.width(),
        height: image.height(),
    })
}

/// Decodes a stored image (ours, so no limits beyond the upload's apply).
pub fn decode_stored(bytes: &[u8]) -> Result<DynamicImage, image::ImageError> {
    image::load_from_memory(bytes)
}

/// The renditions of an image `width` pixels wide: each rendition width smaller than
/// it (an image is never enlarged; the stored original serves the larger sizes).
pub fn rendition_widths(width: u32) -> impl Iterator<Item = u32> {
    RENDITION_WIDTHS.into_iter().filter(move |w| *w < width)
}

/// `image` scaled to `width` pixels wide, its aspect kept.
pub fn resize_to_width(image: &DynamicImage, width: u32) -> DynamicImage {
    let height = (u64::from(image.height()) * u64::from(width))
        .div_ceil(u64::from(image.width().max(1)))
        .max(1);
    image.resize_exact(
        width,
        u32::try_from(height).unwrap_or(u32::MAX),
        FilterType::Lanczos3,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        DynamicImage::new_rgb8(width, height)
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .unwrap();
        bytes
    }

    #[test]
    fn formats_are_judged_by_content() {
        assert_eq!(sniff(&png(4, 4)), Ok(SourceFormat::Png));
        assert_eq!(
            sniff(b"hello, I am text"),
            Err(Rejection::UnsupportedFormat)
        );
        assert_eq!(sniff(b"GIF89a......"), Err(Rejection::UnsupportedFormat));
    }

    #[test]
    fn renditions_never_enlarge() {
        assert_eq!(rendition_widths(700).collect::<Vec<_>>(), [160, 320, 640]);
        assert_eq!(rendition_widths(160).count(), 0);
        let resized = resize_to_width(&DynamicImage::new_rgb8(400, 300), 160);
        assert_eq!((resized.width(), resized.height()), (160, 120));
    }
}
