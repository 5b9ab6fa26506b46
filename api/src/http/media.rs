//! Uploaded images over plain HTTP: `GET /media/{id}/{file}` serves a stored size
//! (content-hashed, so cacheable for ever), and `POST /media` takes an upload as a
//! multipart form, for the console's forms (bearer token, or the storefront's session
//! cookie with its CSRF token).

use std::io;

use actix_web::{
    HttpRequest, HttpResponse,
    http::{StatusCode, header},
    web,
};
use futures_util::{Stream, StreamExt};

use crate::{
    graphql::{accounts_actor_of, media::store_upload},
    http::{
        error::HttpError,
        state::AppState,
        viewer::{Refusal, viewer_from_token},
    },
};

/// The request body as a `Send` stream of chunks. actix's payload lives on its worker
/// thread; the multipart readers (multer, async-graphql's) want a `Send` stream, so a
/// local task forwards the chunks through a small channel.
pub(crate) fn sendable_body(
    mut payload: web::Payload,
) -> impl Stream<Item = Result<web::Bytes, io::Error>> + Send + Unpin + 'static {
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<web::Bytes, io::Error>>(16);
    actix_web::rt::spawn(async move {
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(io::Error::other);
            if sender.send(chunk).await.is_err() {
                // The reader stopped (an error, or a limit): the rest is not wanted.
                return;
            }
        }
    });
    Box::pin(futures_util::stream::unfold(
        receiver,
        |mut receiver| async move { receiver.recv().await.map(|chunk| (chunk, receiver)) },
    ))
}

/// `GET /media/{mediaId}/{file}`: one stored size of an upload. The name holds a hash of
/// the bytes, so the answer never changes: cached for a year, immutable.
pub(crate) async fn serve(
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, HttpError> {
    let (id, file) = path.into_inner();
    let key = format!("{id}/{file}");
    let not_found = || HttpError::not_found("no such image");
    if !media::is_media_key(&key) {
        return Err(not_found());
    }
    let content_type = media::content_type_of_key(&key).ok_or_else(not_found)?;
    let object = state
        .media
        .get(&key)
        .await
        .map_err(|error| HttpError::internal("reading a stored image", &error))?
        .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // Already compressed: the compression middleware leaves it as it is.
        .insert_header(header::ContentEncoding::Identity)
        .body(object.bytes))
}

/// How the caller of `POST /media` proved who they are.
enum Caller {
    /// `Authorization: Bearer …`: no CSRF question.
    Bearer(crate::auth::Viewer),
    /// The storefront's session cookie: the form must also carry the CSRF token.
    Cookie(crate::auth::Viewer),
}

async fn caller(request: &HttpRequest, state: &AppState) -> Result<Caller, HttpError> {
    let refused = |refusal: Refusal| match refusal.code {
        "UNAUTHENTICATED" => HttpError::unauthenticated(refusal.message),
        _ => HttpError::from(crate::graphql::ApiError::Internal),
    };
    if let Some(value) = request.headers().get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .ok_or_else(|| {
                HttpError::unauthenticated("Authorization header must be `Bearer <access token>`")
            })?;
        return match viewer_from_token(state, token).await.map_err(refused)? {
            Some(viewer) => Ok(Caller::Bearer(viewer)),
            None => Err(HttpError::unauthenticated("sign in first")),
        };
    }
    let token = request
        .cookie(::web::ACCESS_COOKIE)
        .map(|cookie| cookie.value().to_owned())
        .ok_or_else(|| HttpError::unauthenticated("sign in first"))?;
    match viewer_from_token(state, &token).await.map_err(refused)? {
        Some(viewer) => Ok(Caller::Cookie(viewer)),
        None => Err(HttpError::unauthenticated("sign in first")),
    }
}

fn rejected(rejection: &media::Rejection) -> HttpError {
    use media::Rejection as R;
    let (status, code) = match rejection {
        R::UnsupportedFormat => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_FORMAT"),
        R::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "TOO_LARGE"),
        R::TooManyPixels { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "TOO_MANY_PIXELS"),
        R::Unreadable(_) => (StatusCode::UNPROCESSABLE_ENTITY, "UNREADABLE"),
        R::Missing => (StatusCode::BAD_REQUEST, "REQUIRED"),
    };
    HttpError::new(status, code, rejection.to_string())
}

fn multipart_error(error: &multer::Error) -> HttpError {
    match error {
        multer::Error::FieldSizeExceeded { .. } | multer::Error::StreamSizeExceeded { .. } => {
            rejected(&media::Rejection::TooLarge {
                max_bytes: media::MAX_UPLOAD_BYTES,
            })
        }
        other => HttpError::bad_request("BAD_USER_INPUT", format!("not a multipart form: {other}")),
    }
}

/// Text fields are short; a longer one is refused rather than buffered.
const MAX_TEXT_FIELD_BYTES: u64 = 4 * 1024;

/// `POST /media`: a multipart form with `cooperativeId`, `alt` and `file` (and, with the
/// session cookie, `csrf` before `file`, or an `X-CSRF-Token` header). The file is
/// counted as it streams in and refused (413) past 10 MB; then judged as `mediaUpload`
/// judges it. Answers 201 with the upload's id, sizes and URLs.
pub(crate) async fn upload(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, HttpError> {
    let caller = caller(&request, &state).await?;
    let boundary = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok())
        .ok_or_else(|| {
            HttpError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "BAD_USER_INPUT",
                "send the upload as multipart/form-data",
            )
        })?;
    let header_csrf = request
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut csrf_checked = matches!(caller, Caller::Bearer(_))
        || header_csrf.is_some_and(|token| ::web::csrf_token_ok(&request, &token));
    let viewer = match &caller {
        Caller::Bearer(viewer) | Caller::Cookie(viewer) => viewer.clone(),
    };
    let actor = accounts_actor_of(Some(&viewer));
    let limits = multer::Constraints::new().size_limit(
        multer::SizeLimit::new()
            .per_field(media::MAX_UPLOAD_BYTES)
            .whole_stream(media::MAX_UPLOAD_BYTES.saturating_add(64 * 1024)),
    );
    let mut form = multer::Multipart::with_constraints(sendable_body(payload), boundary, limits);
    let (mut cooperative_id, mut alt, mut file) = (None, String::new(), None);
    while let Some(mut field) = form.next_field().await.map_err(|e| multipart_error(&e))? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            if !csrf_checked {
                return Err(HttpError::new(
                    StatusCode::FORBIDDEN,
                    "FORBIDDEN",
                    "the form's CSRF token is missing or wrong (send `csrf` before `file`)",
                ));
            }
            let mut bytes = web::BytesMut::new();
            while let Some(chunk) = field.chunk().await.map_err(|e| multipart_error(&e))? {
                bytes.extend_from_slice(&chunk);
                if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > media::MAX_UPLOAD_BYTES {
                    return Err(rejected(&media::Rejection::TooLarge {
                        max_bytes: media::MAX_UPLOAD_BYTES,
                    }));
                }
            }
            file = Some(bytes.freeze());
            continue;
        }
        let mut text = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|e| multipart_error(&e))? {
            text.extend_from_slice(&chunk);
            if u64::try_from(text.len()).unwrap_or(u64::MAX) > MAX_TEXT_FIELD_BYTES {
                return Err(HttpError::bad_request(
                    "BAD_USER_INPUT",
                    format!("the form field `{name}` is too long"),
                ));
            }
        }
        let text = String::from_utf8_lossy(&text).into_owned();
        match name.as_str() {
            "cooperativeId" => cooperative_id = Some(text),
            "alt" => alt = text,
            "csrf" => {
                csrf_checked = csrf_checked || ::web::csrf_token_ok(&request, text.trim());
            }
            _ => {}
        }
    }
    let cooperative_id = cooperative_id
        .as_deref()
        .and_then(|id| uuid::Uuid::parse_str(id.trim()).ok())
        .ok_or_else(|| {
            HttpError::bad_request("BAD_USER_INPUT", "`cooperativeId` is missing or not an id")
        })?;
    let file = file.ok_or_else(|| rejected(&media::Rejection::Missing))?;
    let stored = store_upload(
        &state.db,
        state.media.as_ref(),
        &actor,
        cooperative_id,
        file,
        &alt,
    )
    .await
    .map_err(|error| match error {
        catalog::CatalogError::Media(media::MediaError::Rejected(rejection)) => {
            rejected(&rejection)
        }
        catalog::CatalogError::Media(media::MediaError::InvalidAlt(message)) => {
            HttpError::bad_request("REQUIRED", message)
        }
        other => HttpError::from(other),
    })?;
    Ok(HttpResponse::Created().json(serde_json::json!({
        "id": stored.id,
        "cooperativeId": stored.cooperative_id,
        "alt": stored.alt,
        "width": stored.width(),
        "height": stored.height(),
        "url": stored.original.url(),
        "srcset": stored.srcset(),
        "renditionsReady": stored.renditions_ready,
    })))
}
