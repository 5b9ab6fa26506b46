//! Multipart requests: uploads as forms and as GraphQL multipart requests.

use serde_json::{Value, json};

use super::TestServer;

pub enum Part<'a> {
    Text(&'a str, &'a str),
    File(&'a str, &'a str, &'a str, &'a [u8]),
}

/// A multipart/form-data body, written out by hand so that the tests send exactly what
/// they mean to (a file's name and declared type included).
pub fn multipart(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let boundary = format!("----ladakh-{}", uuid::Uuid::new_v4().simple());
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match part {
            Part::Text(name, value) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                        .as_bytes(),
                );
            }
            Part::File(name, filename, content_type, bytes) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
                body.extend_from_slice(b"\r\n");
            }
        }
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A GraphQL multipart request with one file at the variable path `file_path` (e.g.
/// `variables.i.file`); the status and the body.
pub async fn graphql_with_file(
    server: &TestServer,
    token: Option<&str>,
    query: &str,
    variables: Value,
    file_path: &str,
    file: (&str, &str, &[u8]),
) -> (u16, Value) {
    let operations = json!({ "query": query, "variables": variables }).to_string();
    let map = json!({ "0": [file_path] }).to_string();
    let (filename, content_type, bytes) = file;
    let (content_type_header, body) = multipart(&[
        Part::Text("operations", &operations),
        Part::Text("map", &map),
        Part::File("0", filename, content_type, bytes),
    ]);
    let mut request = server
        .client
        .post(server.url("/graphql"))
        .header("content-type", content_type_header)
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("multipart request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A small PNG (a 4×4 grey square).
pub fn tiny_png() -> Vec<u8> {
    let mut image = image::RgbImage::new(4, 4);
    for pixel in image.pixels_mut() {
        *pixel = image::Rgb([128, 128, 128]);
    }
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(image)
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .expect("encoding a PNG");
    bytes
}
