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
use async_graphql::{BatchRequest, Request, Response};

use crate::{
    graphql::{
        RequestContext, coercion,
        loaders::Loaders,
        phases::{self, ExecutionStarted},
    },
    http::catalog_cache::{CatalogCache, DocumentKind, classify},
    http::state::AppState,
    http::{
        error::HttpError,
        rate_limit::{Gate, RateLimits},
        request_id::RequestId,
        viewer::MaybeSignedIn,
    },
};

/// How a GraphQL response is served. `application/json` is the legacy format: status
/// 200 for every well-formed request, whatever its errors. `application/graphql-response+json`
/// is the GraphQL-over-HTTP one: a request that fails before execution (parse,
/// validation, variable coercion, operation choice) is a 400 with no `data` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MediaType {
    Json,
    GraphqlResponseJson,
}

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

impl MediaType {
    /// The client's preferred one of the two by `Accept` (q-values honoured, listed order
    /// breaking ties); `application/json` when it names neither, `*/*` included.
    fn negotiate(request: &HttpRequest) -> Self {
        let Ok(accept) = <header::Accept as header::Header>::parse(request) else {
            return Self::Json;
        };
        let mut wanted: Vec<_> = accept
            .iter()
            .filter(|item| item.quality > header::Quality::ZERO)
            .collect();
        wanted.sort_by_key(|item| std::cmp::Reverse(item.quality));
        wanted
            .iter()
            .find_map(|item| match item.item.essence_str() {
                GRAPHQL_RESPONSE_JSON => Some(Self::GraphqlResponseJson),
                "application/json" | "application/*" | "*/*" => Some(Self::Json),
                _ => None,
            })
            .unwrap_or(Self::Json)
    }

    const fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::GraphqlResponseJson => "application/graphql-response+json; charset=utf-8",
        }
    }
}

/// One request's response, and whether it reached execution.
pub(crate) struct Outcome {
    pub(crate) response: Response,
    executed: bool,
}

/// Runs one request: its variables coerced first, then async-graphql's parse,
/// validation and execution; every error leaves with an `extensions.code`.
pub(crate) async fn run(schema: &crate::graphql::AppSchema, request: Request) -> Outcome {
    if let Some(error) = coercion::variable_error(&request) {
        let mut response = Response::from_errors(vec![error]);
        phases::label(&mut response.errors, phases::BAD_USER_INPUT);
        return Outcome {
            response,
            executed: false,
        };
    }
    let started = ExecutionStarted::default();
    let mut response = schema.execute(request.data(started.clone())).await;
    let executed = started.started();
    // Parse and validation errors got their codes from `phases`; what else fails before
    // execution is the choice of operation. Every error of our resolvers carries its code
    // (graphql::errors), so an uncoded one from execution is async-graphql's parsing of
    // an argument the client sent.
    let fallback = if executed {
        phases::BAD_USER_INPUT
    } else {
        phases::OPERATION_RESOLUTION_FAILED
    };
    phases::label(&mut response.errors, fallback);
    Outcome { response, executed }
}

/// The body of one response: without its `data` entry when it never executed and the
/// client speaks `application/graphql-response+json`.
fn response_json(outcome: &Outcome, media: MediaType) -> Result<serde_json::Value, HttpError> {
    let mut json = serde_json::to_value(&outcome.response)
        .map_err(|error| HttpError::internal("serialising a GraphQL response", &error))?;
    if media == MediaType::GraphqlResponseJson
        && !outcome.executed
        && let Some(object) = json.as_object_mut()
    {
        object.remove("data");
    }
    Ok(json)
}

/// Runs a batch for the caller. A refused bearer token fails the whole request, with
/// status 200 as GraphQL errors are.
async fn execute(
    request: &HttpRequest,
    state: &AppState,
    viewer: Result<MaybeSignedIn, HttpError>,
    batch: BatchRequest,
) -> Result<HttpResponse, HttpError> {
    let media = MediaType::negotiate(request);
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
    // A request without a document is not a GraphQL request at all.
    if batch.iter().any(|single| single.query.trim().is_empty()) {
        return Err(HttpError::bad_request(
            "BAD_USER_INPUT",
            "a GraphQL request needs a query",
        ));
    }
    let cache = &state.catalog_cache;
    let cache_key = match (&viewer, &batch) {
        (None, BatchRequest::Single(single)) if cache.enabled() => CatalogCache::key(single),
        _ => None,
    };
    // Only successful responses are cached, and those read the same in both media types.
    if let Some(body) = cache_key.as_deref().and_then(|key| cache.get(key)) {
        state.metrics.count_catalog_cache(true);
        return Ok(json_body(StatusCode::OK, media, body, Some("HIT")));
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
    let (status, json, ok) = match batch {
        BatchRequest::Single(single) => {
            let outcome = run(&state.schema, single).await;
            let status = if media == MediaType::GraphqlResponseJson && !outcome.executed {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::OK
            };
            let ok = outcome.response.is_ok();
            (status, response_json(&outcome, media)?, ok)
        }
        // Batches are outside the GraphQL-over-HTTP specification: always 200, one
        // entry per request.
        BatchRequest::Batch(requests) => {
            let outcomes = futures_util::future::join_all(
                requests
                    .into_iter()
                    .map(|single| run(&state.schema, single)),
            )
            .await;
            let ok = outcomes.iter().all(|outcome| outcome.response.is_ok());
            let entries = outcomes
                .iter()
                .map(|outcome| response_json(outcome, media))
                .collect::<Result<Vec<_>, _>>()?;
            (StatusCode::OK, serde_json::Value::Array(entries), ok)
        }
    };
    if kinds.contains(&DocumentKind::Write) {
        cache.invalidate();
    }
    let body = serde_json::to_vec(&json)
        .map(web::Bytes::from)
        .map_err(|error| HttpError::internal("serialising a GraphQL response", &error))?;
    let answer = match cacheable {
        Some(key) => {
            state.metrics.count_catalog_cache(false);
            if ok {
                cache.store(key, generation, body.clone());
            }
            json_body(status, media, body, Some("MISS"))
        }
        None => json_body(status, media, body, None),
    };
    // A refused operation makes the answer a 429 with `Retry-After`.
    Ok(match &gate {
        Some(gate) => gate.answer(answer),
        None => answer,
    })
}

/// `X-Cache` says whether an anonymous catalogue read came from the cache.
fn json_body(
    status: StatusCode,
    media: MediaType,
    body: web::Bytes,
    cache: Option<&'static str>,
) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response.content_type(media.content_type());
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

/// Whether a POST is a GraphQL multipart request (an upload).
pub(crate) fn is_multipart(context: &actix_web::guard::GuardContext<'_>) -> bool {
    context
        .head()
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// `POST /graphql` as a GraphQL multipart request (uploads: `operations`, `map`, then
/// the files). One file of at most 10 MB, refused while it streams in beyond that;
/// authentication is the bearer token as for JSON (a cookie never authorises
/// `/graphql`, so a cross-site form cannot upload in a user's name).
pub(crate) async fn post_multipart(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Result<MaybeSignedIn, HttpError>,
    payload: web::Payload,
) -> Result<HttpResponse, HttpError> {
    use futures_util::TryStreamExt;
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let options = async_graphql::http::MultipartOptions::default()
        // The operations and map parts come within the same limit as the file's
        // margin; the file's own 10 MB is checked again exactly when it is read.
        .max_file_size(
            usize::try_from(media::MAX_UPLOAD_BYTES)
                .unwrap_or(usize::MAX)
                .saturating_add(64 * 1024),
        )
        .max_num_files(1);
    let body = crate::http::media::sendable_body(payload).into_async_read();
    let batch = async_graphql::http::receive_batch_body(content_type, body, options)
        .await
        .map_err(|error| match error {
            async_graphql::ParseRequestError::PayloadTooLarge => HttpError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "TOO_LARGE",
                format!("the file is larger than {} bytes", media::MAX_UPLOAD_BYTES),
            ),
            other => HttpError::bad_request(
                "BAD_USER_INPUT",
                format!("request body is not a GraphQL multipart request: {other}"),
            ),
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
