//! Channel feeds (GeM's bulk catalogue, NCUI Haat's JSON) and channels' order webhooks.

use actix_web::{
    HttpMessage, HttpRequest, HttpResponse,
    http::{
        StatusCode,
        header::{self, AcceptEncoding, Encoding},
    },
    web,
};
use chrono::{DateTime, Utc};
use connectors::{Channel, feeds::FeedFormat, inbound::InboundOutcome};
use futures_util::StreamExt;
use serde::Deserialize;

use crate::http::{
    error::HttpError,
    signed_body::{ChannelSignature, SignedBody},
    state::AppState,
};

#[derive(Debug, Deserialize)]
pub(crate) struct FeedQuery {
    updated_since: Option<String>,
}

pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The content codings the Compress middleware (startup) can apply, as it lists them.
const CODINGS: [Encoding; 3] = [Encoding::identity(), Encoding::gzip(), Encoding::deflate()];

/// The ETag of the representation this request gets: the feed's digest, marked with the
/// content coding the Compress middleware will apply. A gzip body and an identity body
/// are different representations (RFC 9110, 8.8.3), and one tag for both would let a
/// cache answer a client that cannot decode gzip with gzip bytes.
fn representation_tag(request: &HttpRequest, feed_tag: &str) -> String {
    let coding = request
        .get_header::<AcceptEncoding>()
        .and_then(|accepted| accepted.negotiate(CODINGS.iter()))
        .unwrap_or_else(Encoding::identity);
    if coding == Encoding::identity() {
        return feed_tag.to_owned();
    }
    let opaque = feed_tag.trim_matches('"');
    format!("\"{opaque}-{coding}\"")
}

/// Whether `If-None-Match` (a list of tags, weak or strong, or `*`) matches `etag`. The
/// comparison is the weak one RFC 9110 (13.1.2) prescribes for this header: `W/"x"`
/// matches `"x"`.
fn none_match(if_none_match: &str, etag: &str) -> bool {
    let opaque = |tag: &str| {
        let tag = tag.trim();
        tag.strip_prefix("W/").unwrap_or(tag).to_owned()
    };
    let current = opaque(etag);
    if_none_match
        .split(',')
        .any(|tag| tag.trim() == "*" || opaque(tag) == current)
}

/// `GET /feeds/{channel}/catalog.{csv|json}` with `X-Api-Key`, `If-None-Match` and
/// `?updated_since=` (RFC 3339).
pub(crate) async fn feed(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    query: web::Query<FeedQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, HttpError> {
    let (channel, file) = path.into_inner();
    let no_such_feed = || HttpError::not_found("no such feed");
    let format = match file.as_str() {
        "catalog.csv" => FeedFormat::Csv,
        "catalog.json" => FeedFormat::Json,
        _ => return Err(no_such_feed()),
    };
    let channel = Channel::from_slug(&channel).ok_or_else(no_such_feed)?;
    // GeM's bulk catalogue comes in CSV and JSON; NCUI Haat's in JSON.
    if channel == Channel::NcuiHaat && format == FeedFormat::Csv {
        return Err(no_such_feed());
    }
    let key = state
        .connectors
        .feed_key(channel)
        .ok_or_else(|| HttpError::not_found("this feed is not enabled"))?;
    let presented = request
        .headers()
        .get("X-Api-Key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !same(presented.as_bytes(), key.as_bytes()) {
        return Err(HttpError::unauthenticated(
            "send the channel's feed key as X-Api-Key",
        ));
    }
    let since = match query
        .updated_since
        .as_deref()
        .map(DateTime::parse_from_rfc3339)
    {
        None => None,
        Some(Ok(at)) => Some(at.with_timezone(&Utc)),
        Some(Err(_)) => {
            return Err(HttpError::bad_request(
                "BAD_USER_INPUT",
                "updated_since must be an RFC 3339 time, e.g. 2026-11-25T00:00:00Z",
            ));
        }
    };
    let etag = representation_tag(
        &request,
        &state.connectors.feed_etag(channel, format, since).await?,
    );
    let not_modified = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| none_match(v, &etag));
    if not_modified {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::VARY, "Accept-Encoding"))
            .finish());
    }
    let content_type = match format {
        FeedFormat::Csv => "text/csv; charset=utf-8",
        FeedFormat::Json => "application/json",
    };
    let stream = state
        .connectors
        .feed_stream(channel, format, since)
        .map(|chunk| {
            chunk.map(web::Bytes::from).map_err(|e| {
                tracing::error!(error = %e, "feed stream");
                std::io::Error::other("feed failed")
            })
        });
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::ETAG, etag))
        .insert_header(("Cache-Control", "private, max-age=0, must-revalidate"))
        .streaming(stream))
}

/// `POST /channels/{channel}/orders`: a channel's order, signed with the channel's
/// webhook secret. 200 with ACCEPTED (or the earlier answer for a duplicate), 422 with
/// REJECTED and the reasons, 400 for a bad signature or payload.
pub(crate) async fn order_webhook(
    path: web::Path<String>,
    signed: SignedBody<ChannelSignature>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, HttpError> {
    let channel = Channel::from_slug(&path.into_inner())
        .ok_or_else(|| HttpError::not_found("no such channel"))?;
    let handled = state
        .connectors
        .handle_order_webhook(channel, signed.signature.as_deref(), &signed.body)
        .await;
    // An accepted order reserves stock.
    state.catalog_cache.invalidate();
    let (id, outcome) = handled?;
    let status = match outcome {
        InboundOutcome::Accepted { .. } => StatusCode::OK,
        InboundOutcome::Rejected { .. } => StatusCode::UNPROCESSABLE_ENTITY,
    };
    Ok(HttpResponse::build(status).json(outcome.to_json(&id)))
}

#[cfg(test)]
mod tests {
    use super::none_match;

    #[test]
    fn if_none_match_compares_weakly_and_reads_lists() {
        let etag = "\"abc\"";
        assert!(none_match("\"abc\"", etag));
        assert!(none_match("W/\"abc\"", etag));
        assert!(none_match("\"x\", W/\"abc\"", etag));
        assert!(none_match("*", etag));
        assert!(!none_match("\"abc-gzip\"", etag));
        assert!(!none_match("W/\"ab\"", etag));
    }
}
