//! Uploaded images over HTTP: what is accepted (by content, within 10 MB and 40
//! megapixels), what is stored (upright, without EXIF or GPS), the renditions made in
//! the background and how they are served, who may upload and delete, the orphan sweep,
//! and the S3 backend against a real S3-compatible server (s3s-fs) started here.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use serde_json::{Value, json};

use crate::{
    both_backends,
    support::{
        Backend, ServerOptions, TestServer, error_code,
        flows::{admin_token, buyer_token, cooperative_id, product_id, staff_token, user_errors},
        multipart::{Part, graphql_with_file, multipart},
        s3::{ACCESS_KEY, S3Server, SECRET_KEY},
    },
};

const SHAM: &str = "sham-apricot-growers-demo";
const NUBRA: &str = "nubra-leh-berry-growers-demo";
/// An active product of Sham's.
const SHAM_PRODUCT: &str = "raktsey-karpo-dried-apricots-500g";

const MEDIA_FIELDS: &str = "id width height renditionsReady srcset url
  renditions { width height url contentType }";

// ---- fixtures, made here -------------------------------------------------------------

/// A photo-like picture: the left half red, the right half blue.
fn halves(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            Rgb([220, 20, 20])
        } else {
            Rgb([20, 20, 220])
        }
    }))
}

fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), format)
        .unwrap();
    bytes
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    encoded(&halves(width, height), ImageFormat::Jpeg)
}

fn png(width: u32, height: u32) -> Vec<u8> {
    encoded(&halves(width, height), ImageFormat::Png)
}

fn webp(width: u32, height: u32) -> Vec<u8> {
    encoded(&halves(width, height), ImageFormat::WebP)
}

/// A logo with a transparent background.
fn transparent_png(width: u32, height: u32) -> Vec<u8> {
    let image = RgbaImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            Rgba([0, 0, 0, 0])
        } else {
            Rgba([20, 120, 20, 255])
        }
    });
    encoded(&DynamicImage::ImageRgba8(image), ImageFormat::Png)
}

/// A little-endian TIFF (EXIF) block: IFD0 with the orientation and a pointer to a GPS
/// IFD holding a latitude and longitude (34°09'N 77°35'E, Leh).
fn exif_block(orientation: u16) -> Vec<u8> {
    fn entry(out: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]) {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&value);
    }
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const ASCII: u16 = 2;
    const BYTE: u16 = 1;
    const RATIONAL: u16 = 5;
    let ifd0_at = 8_u32;
    let ifd0_len = 2 + 2 * 12 + 4;
    let gps_at = ifd0_at + ifd0_len;
    let gps_len = 2 + 5 * 12 + 4;
    let latitude_at = gps_at + gps_len;
    let longitude_at = latitude_at + 24;
    let mut tiff = b"II\x2a\x00".to_vec();
    tiff.extend_from_slice(&ifd0_at.to_le_bytes());
    tiff.extend_from_slice(&2_u16.to_le_bytes());
    let mut orientation_value = [0; 4];
    orientation_value[..2].copy_from_slice(&orientation.to_le_bytes());
    entry(&mut tiff, 0x0112, SHORT, 1, orientation_value);
    entry(&mut tiff, 0x8825, LONG, 1, gps_at.to_le_bytes());
    tiff.extend_from_slice(&0_u32.to_le_bytes());
    tiff.extend_from_slice(&5_u16.to_le_bytes());
    entry(&mut tiff, 0x0000, BYTE, 4, [2, 2, 0, 0]);
    entry(&mut tiff, 0x0001, ASCII, 2, *b"N\0\0\0");
    entry(&mut tiff, 0x0002, RATIONAL, 3, latitude_at.to_le_bytes());
    entry(&mut tiff, 0x0003, ASCII, 2, *b"E\0\0\0");
    entry(&mut tiff, 0x0004, RATIONAL, 3, longitude_at.to_le_bytes());
    tiff.extend_from_slice(&0_u32.to_le_bytes());
    for (numerator, denominator) in [(34_u32, 1_u32), (9, 1), (0, 1), (77, 1), (35, 1), (0, 1)] {
        tiff.extend_from_slice(&numerator.to_le_bytes());
        tiff.extend_from_slice(&denominator.to_le_bytes());
    }
    let mut block = b"Exif\0\0".to_vec();
    block.extend_from_slice(&tiff);
    block
}

/// A phone photo: a JPEG stored sideways with an EXIF orientation (6: turn 90°
/// clockwise to show it) and the GPS position where it was taken, in an APP1 segment
/// right after the start-of-image marker, where cameras put it.
fn phone_photo(width: u32, height: u32) -> Vec<u8> {
    let plain = jpeg(width, height);
    let exif = exif_block(6);
    let length = u16::try_from(exif.len() + 2).unwrap();
    let mut photo = plain[..2].to_vec();
    photo.extend_from_slice(&[0xFF, 0xE1]);
    photo.extend_from_slice(&length.to_be_bytes());
    photo.extend_from_slice(&exif);
    photo.extend_from_slice(&plain[2..]);
    photo
}

/// The GPS latitude in a file's EXIF, if it has any (an independent EXIF reader).
fn gps_latitude(bytes: &[u8]) -> Option<String> {
    let exif = exif::Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .ok()?;
    exif.get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
        .map(|field| field.display_value().to_string())
}

/// A PNG whose header claims 20000×20000 pixels (400 megapixels) around a few bytes of
/// data: a decompression bomb's shape. The IHDR's CRC is made right, so only the size
/// is wrong.
fn png_bomb() -> Vec<u8> {
    let mut bytes = png(8, 8);
    bytes[16..20].copy_from_slice(&20_000_u32.to_be_bytes());
    bytes[20..24].copy_from_slice(&20_000_u32.to_be_bytes());
    let crc = crc32fast::hash(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

/// A JPEG whose frame header (SOF0) claims 20000×20000 pixels.
fn jpeg_bomb() -> Vec<u8> {
    let mut bytes = jpeg(8, 8);
    let sof = bytes
        .windows(2)
        .position(|pair| pair == [0xFF, 0xC0])
        .expect("a baseline JPEG has an SOF0 marker");
    bytes[sof + 5..sof + 7].copy_from_slice(&20_000_u16.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&20_000_u16.to_be_bytes());
    bytes
}

// ---- requests ------------------------------------------------------------------------

/// `mediaUpload` as a GraphQL multipart request; the status and the body.
async fn graphql_upload(
    server: &TestServer,
    token: Option<&str>,
    cooperative: &str,
    filename: &str,
    content_type: &str,
    bytes: &[u8],
) -> (u16, Value) {
    graphql_with_file(
        server,
        token,
        &format!("mutation($input: MediaUploadInput!) {{ mediaUpload(input: $input) {{
            media {{ {MEDIA_FIELDS} }} errors {{ field code message }} }} }}"),
        json!({ "input": { "cooperativeId": cooperative, "file": null, "alt": "Apricots drying on a roof" } }),
        "variables.input.file",
        (filename, content_type, bytes),
    )
    .await
}

/// An accepted `mediaUpload`: the new media.
async fn uploaded(server: &TestServer, token: &str, cooperative: &str, bytes: &[u8]) -> Value {
    let (status, body) = graphql_upload(
        server,
        Some(token),
        cooperative,
        "photo.jpg",
        "image/jpeg",
        bytes,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(user_errors(&body, "mediaUpload").is_empty(), "{body}");
    body["data"]["mediaUpload"]["media"].clone()
}

/// The code of `mediaUpload`'s one user error.
fn upload_error(body: &Value) -> (String, String) {
    let errors = user_errors(body, "mediaUpload");
    assert_eq!(errors.len(), 1, "{body}");
    (
        errors[0]["field"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect::<Vec<_>>()
            .join("."),
        errors[0]["code"].as_str().unwrap().to_owned(),
    )
}

/// `POST /media`; the status and the body.
async fn form_upload(
    server: &TestServer,
    token: Option<&str>,
    cooperative: &str,
    filename: &str,
    bytes: &[u8],
) -> (u16, Value) {
    let (content_type, body) = multipart(&[
        Part::Text("cooperativeId", cooperative),
        Part::Text("alt", "A cooperative's photo"),
        Part::File("file", filename, "image/jpeg", bytes),
    ]);
    let mut request = server
        .client
        .post(server.url("/media"))
        .header("content-type", content_type)
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn media_as(server: &TestServer, token: &str, id: &Value) -> Value {
    server
        .graphql_as(
            Some(token),
            &format!("query($id: ID!) {{ media(id: $id) {{ {MEDIA_FIELDS} }} }}"),
            json!({ "id": id }),
        )
        .await
}

/// Fetches a stored size: its bytes, after checking the headers every size carries.
async fn fetch_size(server: &TestServer, url: &str, content_type: &str) -> Vec<u8> {
    let response = server.client.get(server.url(url)).send().await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("content-type"), content_type, "{url}");
    assert_eq!(
        header("cache-control"),
        "public, max-age=31536000, immutable",
        "{url}"
    );
    assert_eq!(header("x-content-type-options"), "nosniff", "{url}");
    response.bytes().await.unwrap().to_vec()
}

async fn sham_staff(server: &TestServer) -> (String, String, String) {
    let admin = admin_token(server).await;
    let sham = cooperative_id(server, &admin, SHAM).await;
    let staff = staff_token(server, &admin, &sham, "STAFF").await;
    (admin, sham, staff)
}

// ---- the tests -----------------------------------------------------------------------

async fn uploads_are_judged_by_their_content_and_limits(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let (_, sham, staff) = sham_staff(&server).await;

    // Each accepted format, over GraphQL; the sizes are the picture's.
    for (bytes, name) in [
        (jpeg(300, 200), "jpeg"),
        (png(301, 201), "png"),
        (webp(302, 202), "webp"),
    ] {
        let media = uploaded(&server, &staff, &sham, &bytes).await;
        let expected = match name {
            "jpeg" => (300, 200),
            "png" => (301, 201),
            _ => (302, 202),
        };
        assert_eq!(
            (media["width"].clone(), media["height"].clone()),
            (json!(expected.0), json!(expected.1)),
            "{name}: {media}"
        );
        assert_eq!(media["renditionsReady"], false, "{media}");
        assert_eq!(
            media["renditions"][0]["contentType"], "image/jpeg",
            "{media}"
        );
    }
    // A transparent PNG keeps its transparency: stored as (lossless) WebP.
    let logo = uploaded(&server, &staff, &sham, &transparent_png(120, 40)).await;
    assert_eq!(logo["renditions"][0]["contentType"], "image/webp", "{logo}");

    // A PNG named .jpg and declared image/jpeg is judged by its content: accepted, as
    // the PNG it is.
    let (status, body) = graphql_upload(
        &server,
        Some(&staff),
        &sham,
        "holiday.jpg",
        "image/jpeg",
        &png(64, 48),
    )
    .await;
    assert_eq!(status, 200);
    assert!(user_errors(&body, "mediaUpload").is_empty(), "{body}");
    assert_eq!(body["data"]["mediaUpload"]["media"]["width"], 64, "{body}");

    // A text file named .jpg is refused, whatever its name and declared type say.
    let (_, body) = graphql_upload(
        &server,
        Some(&staff),
        &sham,
        "apricots.jpg",
        "image/jpeg",
        b"these are not the apricots you are looking for",
    )
    .await;
    assert_eq!(
        upload_error(&body),
        ("input.file".to_owned(), "UNSUPPORTED_FORMAT".to_owned())
    );
    let (status, body) = form_upload(
        &server,
        Some(&staff),
        &sham,
        "apricots.jpg",
        b"GIF89a not ours",
    )
    .await;
    assert_eq!(
        (status, error_code(&body)),
        (415, Some("UNSUPPORTED_FORMAT")),
        "{body}"
    );

    // Truncated files are refused.
    for (bytes, what) in [(png(200, 200), "png"), (jpeg(200, 200), "jpeg")] {
        let half = &bytes[..bytes.len() / 2];
        let (_, body) =
            graphql_upload(&server, Some(&staff), &sham, "cut.jpg", "image/jpeg", half).await;
        assert_eq!(
            upload_error(&body),
            ("input.file".to_owned(), "UNREADABLE".to_owned()),
            "a truncated {what}"
        );
    }

    // Decompression bombs are refused from their headers, before decoding.
    for (bomb, what) in [(png_bomb(), "png"), (jpeg_bomb(), "jpeg")] {
        assert!(bomb.len() < 2_000, "the {what} bomb is tiny");
        let (_, body) = graphql_upload(
            &server,
            Some(&staff),
            &sham,
            "bomb.jpg",
            "image/jpeg",
            &bomb,
        )
        .await;
        assert_eq!(
            upload_error(&body),
            ("input.file".to_owned(), "TOO_MANY_PIXELS".to_owned()),
            "the {what} bomb: {body}"
        );
        let (status, body) = form_upload(&server, Some(&staff), &sham, "bomb.png", &bomb).await;
        assert_eq!(
            (status, error_code(&body)),
            (422, Some("TOO_MANY_PIXELS")),
            "{body}"
        );
    }

    // 11 MB is refused on both routes, while it streams in.
    let mut big = png(16, 16);
    big.resize(11 * 1024 * 1024, 0);
    let (status, body) = form_upload(&server, Some(&staff), &sham, "big.png", &big).await;
    assert_eq!(
        (status, error_code(&body)),
        (413, Some("TOO_LARGE")),
        "{body}"
    );
    let (status, body) =
        graphql_upload(&server, Some(&staff), &sham, "big.png", "image/png", &big).await;
    assert_eq!(
        (status, error_code(&body)),
        (413, Some("TOO_LARGE")),
        "{body}"
    );

    // The form route takes a good one too: 201 with its URL.
    let (status, body) = form_upload(&server, Some(&staff), &sham, "ok.webp", &webp(90, 60)).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        (body["width"].clone(), body["height"].clone()),
        (json!(90), json!(60))
    );
    Ok(())
}

async fn renditions_are_upright_without_gps_and_cached_for_ever(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let (_, sham, staff) = sham_staff(&server).await;

    // The fixture really carries GPS (read by an independent EXIF reader) and is stored
    // sideways, 1200×600.
    let photo = phone_photo(1200, 600);
    assert_eq!(gps_latitude(&photo).as_deref(), Some("34 deg 9 min 0 sec"));
    assert_eq!(image::load_from_memory(&photo)?.width(), 1200);

    let media = uploaded(&server, &staff, &sham, &photo).await;
    // Turned as the camera said: 600 wide, 1200 high.
    assert_eq!(
        (media["width"].clone(), media["height"].clone()),
        (json!(600), json!(1200)),
        "{media}"
    );
    let id = media["id"].clone();

    server.drain().await;
    let after = media_as(&server, &staff, &id).await;
    let after = &after["data"]["media"];
    assert_eq!(after["renditionsReady"], true, "{after}");
    // 160 and 320 made; 640 and 1280 would enlarge it, so the 600 original serves them.
    let widths: Vec<i64> = after["renditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["width"].as_i64().unwrap())
        .collect();
    assert_eq!(widths, [160, 320, 600], "{after}");
    for rendition in after["renditions"].as_array().unwrap() {
        let url = rendition["url"].as_str().unwrap();
        assert!(
            url.starts_with(&format!("/media/{}/", id.as_str().unwrap())),
            "{url}"
        );
        let bytes = fetch_size(&server, url, "image/jpeg").await;
        assert_eq!(gps_latitude(&bytes), None, "GPS left in {url}");
        assert!(
            !bytes.windows(6).any(|w| w == b"Exif\0\0"),
            "an EXIF block left in {url}"
        );
        let image = image::load_from_memory(&bytes)?.to_rgb8();
        assert_eq!(
            i64::from(image.width()),
            rendition["width"].as_i64().unwrap(),
            "{url}"
        );
        assert_eq!(
            i64::from(image.height()),
            rendition["height"].as_i64().unwrap(),
            "{url}"
        );
        // Upright: the sensor's left half (red) is now the top.
        let top = image.get_pixel(image.width() / 2, image.height() / 4);
        let bottom = image.get_pixel(image.width() / 2, image.height() * 3 / 4);
        assert!(top[0] > 150 && top[2] < 100, "{url}: top is {top:?}");
        assert!(
            bottom[2] > 150 && bottom[0] < 100,
            "{url}: bottom is {bottom:?}"
        );
    }
    // A name that is not one of ours, or one that does not exist, is a 404.
    for url in [
        format!("/media/{}/160w-0000000000000000.jpg", id.as_str().unwrap()),
        format!("/media/{}/..%2F..%2Fmarket.db", id.as_str().unwrap()),
    ] {
        let response = server.client.get(server.url(&url)).send().await?;
        assert_eq!(response.status(), 404, "{url}");
    }

    // A product shows it; the storefront's sizes come through `ProductImage`.
    let product = product_id(&server, Some(&staff), SHAM_PRODUCT).await;
    let updated = server
        .graphql_as(
            Some(&staff),
            "mutation($input: ProductUpdateInput!) { productUpdate(input: $input) { product { id } errors { field code message } } }",
            json!({ "input": { "id": product, "images": [{ "mediaId": id, "alt": "Raktsey Karpo apricots drying" }] } }),
        )
        .await;
    assert!(
        user_errors(&updated, "productUpdate").is_empty(),
        "{updated}"
    );
    let shown = server
        .graphql_as(
            Some(&staff),
            "query($slug: String) { product(slug: $slug) { images { mediaId alt width height srcset
               small: url(width: 300) large: url(width: 2000) full: url renditions { width } } } }",
            json!({ "slug": SHAM_PRODUCT }),
        )
        .await;
    let image = &shown["data"]["product"]["images"][0];
    assert_eq!(image["mediaId"], id, "{shown}");
    assert_eq!(image["alt"], "Raktsey Karpo apricots drying");
    assert_eq!(
        (image["width"].clone(), image["height"].clone()),
        (json!(600), json!(1200))
    );
    let url_of = |width: i64| {
        after["renditions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["width"] == width)
            .map(|r| r["url"].as_str().unwrap().to_owned())
            .unwrap()
    };
    assert_eq!(image["small"], url_of(320).as_str(), "{shown}");
    assert_eq!(image["large"], url_of(600).as_str(), "{shown}");
    assert_eq!(image["full"], url_of(600).as_str(), "{shown}");
    assert_eq!(
        image["srcset"],
        format!(
            "{} 160w, {} 320w, {} 600w",
            url_of(160),
            url_of(320),
            url_of(600)
        )
        .as_str()
    );

    // Another cooperative's upload cannot be shown on Sham's product.
    let admin = admin_token(&server).await;
    let nubra = cooperative_id(&server, &admin, NUBRA).await;
    let theirs = uploaded(&server, &admin, &nubra, &jpeg(40, 40)).await;
    let refused = server
        .graphql_as(
            Some(&staff),
            "mutation($input: ProductUpdateInput!) { productUpdate(input: $input) { product { id } errors { field code message } } }",
            json!({ "input": { "id": product, "images": [{ "mediaId": theirs["id"], "alt": "Not ours" }] } }),
        )
        .await;
    let errors = user_errors(&refused, "productUpdate");
    assert_eq!(errors.len(), 1, "{refused}");
    assert_eq!(
        errors[0]["field"],
        json!(["input", "images", "0", "mediaId"])
    );
    assert_eq!(errors[0]["code"], "NOT_FOUND");
    Ok(())
}

async fn only_the_owning_cooperative_uploads_and_deletes(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let (admin, sham, staff) = sham_staff(&server).await;
    let nubra = cooperative_id(&server, &admin, NUBRA).await;
    let nubra_staff = staff_token(&server, &admin, &nubra, "STAFF").await;
    let buyer = buyer_token(&server, "media-buyer@example.org").await;
    let photo = jpeg(200, 100);

    for (token, code) in [
        (Some(nubra_staff.as_str()), "FORBIDDEN"),
        (Some(buyer.as_str()), "FORBIDDEN"),
        (None, "UNAUTHENTICATED"),
    ] {
        let (status, body) =
            graphql_upload(&server, token, &sham, "p.jpg", "image/jpeg", &photo).await;
        assert_eq!((status, error_code(&body)), (200, Some(code)), "{body}");
    }
    let (status, _) = form_upload(&server, Some(&nubra_staff), &sham, "p.jpg", &photo).await;
    assert_eq!(status, 403);
    let (status, _) = form_upload(&server, None, &sham, "p.jpg", &photo).await;
    assert_eq!(status, 401);

    let kept = uploaded(&server, &staff, &sham, &photo).await;
    let spare = uploaded(&server, &admin, &sham, &jpeg(120, 80)).await;
    server.drain().await;
    let kept_url = kept["url"].as_str().unwrap().to_owned();

    // Another cooperative sees no such upload, and cannot delete it.
    let seen = media_as(&server, &nubra_staff, &kept["id"]).await;
    assert_eq!(error_code(&seen), Some("NOT_FOUND"), "{seen}");
    const DELETE: &str = "mutation($input: MediaDeleteInput!) { mediaDelete(input: $input) { deletedId errors { field code message } } }";
    let refused = server
        .graphql_as(
            Some(&nubra_staff),
            DELETE,
            json!({ "input": { "id": kept["id"] } }),
        )
        .await;
    assert_eq!(error_code(&refused), Some("NOT_FOUND"), "{refused}");

    // An active product shows it: deleting it is refused until the product shows another.
    let product = product_id(&server, Some(&staff), SHAM_PRODUCT).await;
    const SHOW: &str = "mutation($input: ProductUpdateInput!) { productUpdate(input: $input) { product { id } errors { field code message } } }";
    let shown = server
        .graphql_as(
            Some(&staff),
            SHOW,
            json!({ "input": { "id": product, "images": [{ "mediaId": kept["id"], "alt": "Apricots" }] } }),
        )
        .await;
    assert!(user_errors(&shown, "productUpdate").is_empty(), "{shown}");
    let in_use = server
        .graphql_as(
            Some(&staff),
            DELETE,
            json!({ "input": { "id": kept["id"] } }),
        )
        .await;
    assert_eq!(error_code(&in_use), Some("CONFLICT"), "{in_use}");
    assert_eq!(
        server
            .client
            .get(server.url(&kept_url))
            .send()
            .await?
            .status(),
        200
    );

    let replaced = server
        .graphql_as(
            Some(&staff),
            SHOW,
            json!({ "input": { "id": product, "images": [{ "mediaId": spare["id"], "alt": "Apricots" }] } }),
        )
        .await;
    assert!(
        user_errors(&replaced, "productUpdate").is_empty(),
        "{replaced}"
    );
    let deleted = server
        .graphql_as(
            Some(&staff),
            DELETE,
            json!({ "input": { "id": kept["id"] } }),
        )
        .await;
    assert!(user_errors(&deleted, "mediaDelete").is_empty(), "{deleted}");
    assert_eq!(deleted["data"]["mediaDelete"]["deletedId"], kept["id"]);
    assert_eq!(
        server
            .client
            .get(server.url(&kept_url))
            .send()
            .await?
            .status(),
        404
    );
    let gone = media_as(&server, &staff, &kept["id"]).await;
    assert_eq!(error_code(&gone), Some("NOT_FOUND"), "{gone}");
    Ok(())
}

async fn uploads_no_product_shows_are_swept(backend: Backend) -> anyhow::Result<()> {
    // Orphans are swept once they are this old: 0 s here, so the next drain sweeps them.
    let server = TestServer::spawn(
        backend,
        ServerOptions::seeded().env("MEDIA_ORPHAN_TTL_SECS", "0"),
    )
    .await?;
    let (_, sham, staff) = sham_staff(&server).await;
    let used = uploaded(&server, &staff, &sham, &jpeg(400, 300)).await;
    let orphan = uploaded(&server, &staff, &sham, &png(400, 300)).await;
    let product = product_id(&server, Some(&staff), SHAM_PRODUCT).await;
    let shown = server
        .graphql_as(
            Some(&staff),
            "mutation($input: ProductUpdateInput!) { productUpdate(input: $input) { product { id } errors { field code message } } }",
            json!({ "input": { "id": product, "images": [{ "mediaId": used["id"], "alt": "Apricots" }] } }),
        )
        .await;
    assert!(user_errors(&shown, "productUpdate").is_empty(), "{shown}");

    let report = server.drain().await;
    assert_eq!(report["done"]["media-sweeper"], 1, "{report}");
    let gone = media_as(&server, &staff, &orphan["id"]).await;
    assert_eq!(error_code(&gone), Some("NOT_FOUND"), "{gone}");
    let orphan_url = orphan["url"].as_str().unwrap();
    assert_eq!(
        server
            .client
            .get(server.url(orphan_url))
            .send()
            .await?
            .status(),
        404
    );
    let kept = media_as(&server, &staff, &used["id"]).await;
    assert_eq!(kept["data"]["media"]["renditionsReady"], true, "{kept}");
    let used_url = used["url"].as_str().unwrap();
    assert_eq!(
        server
            .client
            .get(server.url(used_url))
            .send()
            .await?
            .status(),
        200
    );
    Ok(())
}

async fn the_s3_backend_stores_and_serves_uploads(backend: Backend) -> anyhow::Result<()> {
    let s3 = S3Server::start("market-media").await?;
    let server = TestServer::spawn(
        backend,
        ServerOptions::seeded()
            .env("MEDIA_S3_BUCKET", "market-media")
            .env("MEDIA_S3_ENDPOINT", &s3.endpoint)
            .env("MEDIA_S3_REGION", "us-east-1")
            .env("MEDIA_S3_ACCESS_KEY_ID", ACCESS_KEY)
            .env("MEDIA_S3_SECRET_ACCESS_KEY", SECRET_KEY)
            .env("MEDIA_S3_PATH_STYLE", "1"),
    )
    .await?;
    let (_, sham, staff) = sham_staff(&server).await;
    let (status, body) = form_upload(
        &server,
        Some(&staff),
        &sham,
        "photo.jpg",
        &phone_photo(800, 400),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().unwrap().to_owned();
    server.drain().await;
    let media = media_as(&server, &staff, &json!(id)).await;
    let sizes = media["data"]["media"]["renditions"]
        .as_array()
        .unwrap()
        .clone();
    let widths: Vec<i64> = sizes.iter().map(|r| r["width"].as_i64().unwrap()).collect();
    assert_eq!(widths, [160, 320, 400], "{media}");
    // Every size is an object in the bucket, and served back from it.
    let stored: Vec<String> = s3
        .files("market-media")
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    for size in &sizes {
        let url = size["url"].as_str().unwrap();
        let key = url.strip_prefix("/media/").unwrap();
        assert!(
            stored.iter().any(|p| p.ends_with(key)),
            "{key} not in {stored:?}"
        );
        let bytes = fetch_size(&server, url, "image/jpeg").await;
        assert_eq!(gps_latitude(&bytes), None);
    }
    // Nothing went to the local disk.
    let local = server.database.data_path().join("media");
    assert!(
        std::fs::read_dir(&local).map(|d| d.count()).unwrap_or(0) == 0,
        "{} has files",
        local.display()
    );

    // A wrong secret stops a server at start-up, naming the storage.
    let refused = TestServer::spawn(
        backend,
        ServerOptions::default()
            .env("MEDIA_S3_BUCKET", "market-media")
            .env("MEDIA_S3_ENDPOINT", &s3.endpoint)
            .env("MEDIA_S3_REGION", "us-east-1")
            .env("MEDIA_S3_ACCESS_KEY_ID", ACCESS_KEY)
            .env("MEDIA_S3_SECRET_ACCESS_KEY", "not-the-secret")
            .env("MEDIA_S3_PATH_STYLE", "1"),
    )
    .await;
    let Err(error) = refused else {
        panic!("a server started with a wrong S3 secret");
    };
    assert!(error.to_string().contains("media storage"), "{error}");
    Ok(())
}

both_backends!(
    uploads_are_judged_by_their_content_and_limits,
    renditions_are_upright_without_gps_and_cached_for_ever,
    only_the_owning_cooperative_uploads_and_deletes,
    uploads_no_product_shows_are_swept,
    the_s3_backend_stores_and_serves_uploads,
);
