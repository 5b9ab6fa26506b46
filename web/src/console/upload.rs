//! Forms that send a file (a photo, an import sheet) as `multipart/form-data`, the way
//! a browser sends them without JavaScript.

use actix_web::{HttpRequest, web};
use futures_util::StreamExt;

use crate::{foundation::FormData, graphql::FileUpload};

/// The API takes files of at most 10 MB (`mediaUpload`'s images); the form's other
/// fields are a few bytes more. A longer body is not read on.
const MAX_FORM_BYTES: usize = 10 * 1024 * 1024 + 64 * 1024;

/// Why an upload form could not be read.
pub(crate) enum Unreadable {
    /// The body is past the API's limit.
    TooLarge,
    /// Not a multipart form, or a broken one.
    Malformed,
}

/// A multipart form as a browser sends it: its text fields, and the file of `file`
/// (None when none was chosen), ready for an `Upload` variable at `input.file`.
pub(crate) async fn read_form(
    request: &HttpRequest,
    mut payload: web::Payload,
) -> Result<(FormData, Option<FileUpload>), Unreadable> {
    let boundary = request
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok())
        .ok_or(Unreadable::Malformed)?;
    // Read whole (bounded) before parsing: the multipart reader wants a `Send` stream,
    // which actix's payload is not.
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| Unreadable::Malformed)?;
        if body.len().saturating_add(chunk.len()) > MAX_FORM_BYTES {
            return Err(Unreadable::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    let body = body.freeze();
    let mut multipart = multer::Multipart::new(
        futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) }),
        boundary,
    );
    let mut form = FormData::new();
    let mut file = None;
    while let Some(part) = multipart
        .next_field()
        .await
        .map_err(|_| Unreadable::Malformed)?
    {
        let name = part.name().unwrap_or_default().to_owned();
        if name == "file" {
            let filename = part.file_name().unwrap_or("photo").to_owned();
            let content_type = part.content_type().map(ToString::to_string);
            let content = part.bytes().await.map_err(|_| Unreadable::Malformed)?;
            // A form sent without choosing a file carries an empty part.
            if !content.is_empty() {
                file = Some(FileUpload {
                    var_path: "variables.input.file".to_owned(),
                    filename,
                    content_type,
                    content,
                });
            }
        } else {
            let text = part.text().await.map_err(|_| Unreadable::Malformed)?;
            form.insert(name, text);
        }
    }
    Ok((form, file))
}
