//! `POST /graphql` and `GET /graphql`.
//!
//! The body is read with the configured size limit (413 beyond it) and parsed here, so
//! malformed JSON is a 400 with a GraphQL-shaped error rather than anything worse. A
//! bearer token, when present, must be valid: a bad one fails the whole request with
//! UNAUTHENTICATED instead of silently running it anonymously. GET runs queries only.

use actix_web::{
    HttpMessage, HttpRequest, HttpResponse,
    http::{StatusCode, header},
    web,
};
use async_graphql::{BatchRequest, BatchResponse, http::GraphiQLSource};
use serde_json::json;

use crate::{
    auth::{TokenError, Viewer},
    graphql::{RequestContext, loaders::Loaders},
    http::catalog_cache::{CatalogCache, DocumentKind, classify},
    http::request_id::RequestId,
    startup::AppState,
};

pub(crate) fn error_response(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({
        "errors": [{ "message": message, "extensions": { "code": code } }]
    }))
}

/// Reads the viewer from `Authorization: Bearer …`; `Ok(None)` when there is no header,
/// and the reason for refusing a header that is there but not valid.
pub(crate) fn viewer_from(
    request: &HttpRequest,
    state: &AppState,
) -> Result<Option<Viewer>, &'static str> {
    let Some(value) = request.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let Some(token) = value.to_str().ok().and_then(|v| {
        v.strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))
    }) else {
        return Err("Authorization header must be `Bearer <access token>`");
    };
    match state.tokens.verify(token.trim()) {
        Ok(viewer) => Ok(Some(viewer)),
        Err(TokenError::Expired) => Err("access token has expired"),
        Err(TokenError::Invalid | TokenError::Signing) => Err("access token is not valid"),
    }
}

async fn execute(request: &HttpRequest, state: &AppState, batch: BatchRequest) -> HttpResponse {
    let viewer = match viewer_from(request, state) {
        Ok(viewer) => viewer,
        Err(message) => return error_response(StatusCode::OK, "UNAUTHENTICATED", message),
    };
    let cache = &state.catalog_cache;
    let cache_key = match (&viewer, &batch) {
        (None, BatchRequest::Single(single)) if cache.enabled() => CatalogCache::key(single),
        _ => None,
    };
    if let Some(body) = cache_key.as_deref().and_then(|key| cache.get(key)) {
        state.metrics.count_catalog_cache(true);
        return json_body(body, Some("HIT"));
    }
    // Only the cache needs to know what the documents do (the executor parses them again).
    let kinds: Vec<DocumentKind> = if cache.enabled() {
        batch.iter().map(|r| classify(&r.query)).collect()
    } else {
        Vec::new()
    };
    let cacheable = cache_key.filter(|_| kinds == [DocumentKind::PublicCatalogueRead]);
    let generation = cache.generation();

    let request_id = request
        .extensions()
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default();
    let context = RequestContext { viewer, request_id };
    let loaders = std::sync::Arc::new(Loaders::new(state.db.clone()));
    let batch = batch.data(context).data(loaders);
    let response: BatchResponse = state.schema.execute_batch(batch).await;
    if kinds.contains(&DocumentKind::Write) {
        cache.invalidate();
    }
    let body = match serde_json::to_vec(&response) {
        Ok(body) => web::Bytes::from(body),
        Err(error) => {
            tracing::error!(%error, "serialising a GraphQL response");
            return error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error",
            );
        }
    };
    match cacheable {
        Some(key) => {
            state.metrics.count_catalog_cache(false);
            if response.is_ok() {
                cache.store(key, generation, body.clone());
            }
            json_body(body, Some("MISS"))
        }
        None => json_body(body, None),
    }
}

/// `X-Cache` says whether an anonymous catalogue read came from the cache.
fn json_body(body: web::Bytes, cache: Option<&'static str>) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response.content_type("application/json");
    if let Some(cache) = cache {
        response.insert_header(("X-Cache", cache));
    }
    response.body(body)
}

pub(crate) async fn post(
    request: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with("application/json")
        && !content_type.starts_with("application/graphql-response+json")
    {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "BAD_USER_INPUT",
            "send GraphQL requests as application/json",
        );
    }
    let batch: BatchRequest = match serde_json::from_slice(&body) {
        Ok(batch) => batch,
        Err(error) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                "BAD_USER_INPUT",
                &format!("request body is not a GraphQL request: {error}"),
            );
        }
    };
    execute(&request, &state, batch).await
}

fn wants_html(request: &HttpRequest) -> bool {
    request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

pub(crate) async fn get(request: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let query_string = request.query_string();
    if query_string.is_empty() && wants_html(&request) {
        return HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(
                GraphiQLSource::build()
                    .endpoint("/graphql")
                    .title("Ladakh cooperative marketplace")
                    .finish(),
            );
    }
    let graphql_request = match async_graphql::http::parse_query_string(query_string) {
        Ok(graphql_request) => graphql_request,
        Err(error) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                "BAD_USER_INPUT",
                &format!("invalid GraphQL GET request: {error}"),
            );
        }
    };
    if classify(&graphql_request.query) == DocumentKind::Write {
        return HttpResponse::MethodNotAllowed()
            .insert_header((header::ALLOW, "POST"))
            .json(json!({
                "errors": [{ "message": "mutations must be sent with POST", "extensions": { "code": "BAD_USER_INPUT" } }]
            }));
    }
    execute(&request, &state, BatchRequest::Single(graphql_request)).await
}
