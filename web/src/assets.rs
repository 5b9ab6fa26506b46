//! The stylesheet and the script, embedded in the binary and served under names that
//! carry a hash of their content (`/assets/site.3f2a….css`), so browsers may keep them
//! for a year without asking again. Each is gzip-compressed once, at first use.

use std::{io::Write, sync::OnceLock};

use actix_web::{
    HttpRequest, HttpResponse,
    http::header::{self, HeaderValue},
    web,
};
use sha2::{Digest, Sha256};

struct Asset {
    name: String,
    content_type: &'static str,
    body: &'static [u8],
    gzip: Vec<u8>,
}

fn build(stem: &str, extension: &str, content_type: &'static str, body: &'static [u8]) -> Asset {
    let digest = hex::encode(Sha256::digest(body));
    let short = digest.get(..12).unwrap_or(&digest);
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let gzip = encoder
        .write_all(body)
        .and_then(|()| encoder.finish())
        .unwrap_or_default();
    Asset {
        name: format!("{stem}.{short}.{extension}"),
        content_type,
        body,
        gzip,
    }
}

fn all() -> &'static [Asset; 2] {
    static ASSETS: OnceLock<[Asset; 2]> = OnceLock::new();
    ASSETS.get_or_init(|| {
        [
            build(
                "site",
                "css",
                "text/css; charset=utf-8",
                include_bytes!("../assets/site.css"),
            ),
            build(
                "site",
                "js",
                "text/javascript; charset=utf-8",
                include_bytes!("../assets/site.js"),
            ),
        ]
    })
}

/// The stylesheet's URL path.
pub(crate) fn css_path() -> String {
    all()
        .first()
        .map(|a| format!("/assets/{}", a.name))
        .unwrap_or_default()
}

/// The script's URL path.
pub(crate) fn js_path() -> String {
    all()
        .get(1)
        .map(|a| format!("/assets/{}", a.name))
        .unwrap_or_default()
}

fn accepts_gzip(request: &HttpRequest) -> bool {
    request
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| {
            accept.split(',').any(|item| {
                let mut parts = item.split(';');
                let coding = parts.next().unwrap_or_default().trim();
                let refused = parts.any(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f32>().ok())
                        .is_some_and(|q| q <= 0.0)
                });
                coding.eq_ignore_ascii_case("gzip") && !refused
            })
        })
}

async fn serve(request: HttpRequest, file: web::Path<String>) -> HttpResponse {
    let Some(asset) = all().iter().find(|a| a.name == *file) else {
        return crate::foundation::not_found(request).await;
    };
    let mut response = HttpResponse::Ok();
    response
        .content_type(asset.content_type)
        .insert_header((
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ))
        .insert_header((header::VARY, HeaderValue::from_static("Accept-Encoding")));
    if accepts_gzip(&request) && !asset.gzip.is_empty() {
        response
            .insert_header((header::CONTENT_ENCODING, HeaderValue::from_static("gzip")))
            .body(asset.gzip.clone())
    } else {
        // Said explicitly, so that the compression middleware leaves it alone.
        response
            .insert_header((
                header::CONTENT_ENCODING,
                HeaderValue::from_static("identity"),
            ))
            .body(asset.body)
    }
}

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config.route("/assets/{file}", web::get().to(serve));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_content_hash_and_gzip_round_trips() {
        for asset in all() {
            let parts: Vec<&str> = asset.name.split('.').collect();
            assert_eq!(parts.len(), 3, "{}", asset.name);
            assert_eq!(parts[1].len(), 12, "{}", asset.name);
            assert!(parts[1].chars().all(|c| c.is_ascii_hexdigit()));
            let mut decoder = flate2::read::GzDecoder::new(asset.gzip.as_slice());
            let mut plain = Vec::new();
            std::io::Read::read_to_end(&mut decoder, &mut plain).unwrap();
            assert_eq!(plain, asset.body);
        }
    }
}
