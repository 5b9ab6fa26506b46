//! `POST /graphql` and `GET /graphql`.
//!
//! The body is read with the configured size limit (413 beyond it) and parsed here, so
//! malformed JSON is a 400 with a GraphQL-shaped error rather than anything worse. A
//! bearer token, when present, must be valid: a bad one fails the whole request with
//! UNAUTHENTICATED instead of silently running it anonymously. GET runs queries only.

use actix_web::{
    HttpMessage, HttpRequest, HttpResponse, ResponseError,
    http::{StatusCode, header},
    web,
};
use async_graphql::{BatchRequest, BatchResponse};

use crate::{
    graphql::{RequestContext, loaders::Loaders},
    http::catalog_cache::{CatalogCache, DocumentKind, classify},
    http::state::AppState,
    http::{
        error::HttpError,
        rate_limit::{Gate, RateLimits},
        request_id::RequestId,
        viewer::MaybeSignedIn,
    },
};

/// Runs a batch for the caller. A refused bearer token fails the whole request, with
/// status 200 as GraphQL errors are.
async fn execute(
    request: &HttpRequest,
    state: &AppState,
    viewer: Result<MaybeSignedIn, HttpError>,
    batch: BatchRequest,
) -> Result<HttpResponse, HttpError> {
    let MaybeSignedIn(viewer) = viewer.map_err(|e| e.with_status(StatusCode::OK))?;
    if let BatchRequest::Batch(requests) = &batch
        && requests.len() > crate::graphql::cost::MAX_BATCH_OPERATIONS
    {
        return Err(HttpError::bad_request(
            "BAD_USER_INPUT",
            format!(
                "at most {} operations in one batch",
                crate::graphql::cost::MAX_BATCH_OPERATIONS
            ),
        ));
    }
    let cache = &state.catalog_cache;
    let cache_key = match (&viewer, &batch) {
        (None, BatchRequest::Single(single)) if cache.enabled() => CatalogCache::key(single),
        _ => None,
    };
    if let Some(body) = cache_key.as_deref().and_then(|key| cache.get(key)) {
        state.metrics.count_catalog_cache(true);
        return Ok(json_body(body, Some("HIT")));
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
    let gate = request
        .app_data::<web::Data<RateLimits>>()
        .map(|limits| std::sync::Arc::new(Gate::new(limits.clone().into_inner(), request)));
    let mut batch = batch.data(context).data(loaders);
    if let Some(gate) = &gate {
        batch = batch.data(gate.clone());
    }
    let response: BatchResponse = state.schema.execute_batch(batch).await;
    if kinds.contains(&DocumentKind::Write) {
        cache.invalidate();
    }
    let body = serde_json::to_vec(&response)
        .map(web::Bytes::from)
        .map_err(|error| HttpError::internal("serialising a GraphQL response", &error))?;
    let answer = match cacheable {
        Some(key) => {
            state.metrics.count_catalog_cache(false);
            if response.is_ok() {
                cache.store(key, generation, body.clone());
            }
            json_body(body, Some("MISS"))
        }
        None => json_body(body, None),
    };
    // A refused operation makes the answer a 429 with `Retry-After`.
    Ok(match &gate {
        Some(gate) => gate.answer(answer),
        None => answer,
    })
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
    viewer: Result<MaybeSignedIn, HttpError>,
    body: web::Bytes,
) -> Result<HttpResponse, HttpError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with("application/json")
        && !content_type.starts_with("application/graphql-response+json")
    {
        return Err(HttpError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "BAD_USER_INPUT",
            "send GraphQL requests as application/json",
        ));
    }
    let batch: BatchRequest = serde_json::from_slice(&body).map_err(|error| {
        HttpError::bad_request(
            "BAD_USER_INPUT",
            format!("request body is not a GraphQL request: {error}"),
        )
    })?;
    execute(&request, &state, viewer, batch).await
}

fn wants_html(request: &HttpRequest) -> bool {
    request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

pub(crate) async fn get(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Result<MaybeSignedIn, HttpError>,
) -> Result<HttpResponse, HttpError> {
    let query_string = request.query_string();
    let graphiql = request
        .app_data::<web::Data<crate::http::graphiql::Graphiql>>()
        .is_some_and(|graphiql| graphiql.enabled);
    if graphiql && query_string.is_empty() && wants_html(&request) {
        return Ok(crate::http::graphiql::page());
    }
    let graphql_request =
        async_graphql::http::parse_query_string(query_string).map_err(|error| {
            HttpError::bad_request(
                "BAD_USER_INPUT",
                format!("invalid GraphQL GET request: {error}"),
            )
        })?;
    if classify(&graphql_request.query) == DocumentKind::Write {
        let refusal = HttpError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "BAD_USER_INPUT",
            "mutations must be sent with POST",
        );
        let mut response = refusal.error_response();
        response
            .headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        return Ok(response);
    }
    execute(
        &request,
        &state,
        viewer,
        BatchRequest::Single(graphql_request),
    )
    .await
}
