//! Gives every request an id: the caller's `x-request-id` when it is sane, otherwise a
//! new UUID. The id is echoed on the response and carried by every log line of the
//! request, so a buyer's support ticket can be traced through the logs.

use std::time::Instant;

use actix_web::{
    Error, HttpMessage,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header::{HeaderName, HeaderValue},
    middleware::Next,
};
use tracing::Instrument;
use uuid::Uuid;

pub(crate) const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the current request, available from request extensions.
#[derive(Debug, Clone)]
pub(crate) struct RequestId(pub String);

fn acceptable(value: &str) -> bool {
    (1..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

pub(crate) async fn assign_request_id(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let request_id = request
        .headers()
        .get(&REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|value| acceptable(value))
        .map_or_else(|| Uuid::now_v7().to_string(), str::to_owned);
    request
        .extensions_mut()
        .insert(RequestId(request_id.clone()));
    // The storefront's pages show it on their 500 page.
    request
        .extensions_mut()
        .insert(::web::RequestId(request_id.clone()));
    if let Some(state) = request.app_data::<actix_web::web::Data<crate::http::state::AppState>>() {
        state.metrics.count_http_request();
    }
    let span = tracing::info_span!(
        "http_request",
        request_id = %request_id,
        method = %request.method(),
        path = %request.path(),
    );
    let started = Instant::now();
    let result = next.call(request).instrument(span.clone()).await;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut response = match result {
        Ok(response) => response,
        Err(error) => {
            // Turn the error into its response here so that it, too, carries the id.
            let response = error.error_response();
            let _entered = span.enter();
            tracing::info!(
                status = response.status().as_u16(),
                elapsed_ms,
                "request failed"
            );
            return Err(error);
        }
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    let _entered = span.enter();
    tracing::info!(
        status = response.status().as_u16(),
        elapsed_ms,
        "request served"
    );
    Ok(response)
}
