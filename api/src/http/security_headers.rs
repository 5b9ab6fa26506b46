//! Security headers, set in one place for every response so that no handler can forget
//! them: `X-Content-Type-Options: nosniff` on everything (a JSON error or a CSV must
//! never be sniffed into HTML), and on every HTML page (invoices, GraphiQL, any page to
//! come) a Content Security Policy that allows nothing from other origins, no framing
//! and no referrer.

use actix_web::{
    Error,
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::header::{self, HeaderMap, HeaderValue},
    middleware::Next,
};

/// Scripts only from this server (GraphiQL's bundles are served from `/graphiql/`, its
/// start-up code is a file too, so no inline script runs). Inline styles are allowed:
/// the invoice carries its own stylesheet so that it prints on its own, GraphiQL's
/// editor sets styles as it lays out, and a style cannot run code. Images and fonts may
/// be `data:` URIs because GraphiQL's stylesheet embeds its icons and fonts that way.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("text/html")
        })
}

fn add_headers(headers: &mut HeaderMap) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if is_html(headers) {
        // A page that sets its own policy keeps it: the storefront's forms post to
        // this origin and send their `Origin`, which `form-action 'none'` and
        // `no-referrer` would forbid.
        if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CONTENT_SECURITY_POLICY),
            );
        }
        if !headers.contains_key(header::REFERRER_POLICY) {
            headers.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            );
        }
        // For browsers that predate `frame-ancestors`.
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
}

pub(crate) async fn set_security_headers(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    // Handlers' errors and CORS refusals arrive here as responses, so they carry the
    // headers too.
    let mut response = next.call(request).await?.map_into_boxed_body();
    add_headers(response.headers_mut());
    Ok(response)
}
