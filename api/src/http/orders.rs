//! Order documents and provider callbacks: a fulfilment's GST invoice as HTML, and
//! Stripe's and Razorpay's webhooks.

use actix_web::{HttpRequest, HttpResponse, web};
use orders::{OrderError, Party};
use uuid::Uuid;

use crate::{
    graphql::accounts_actor_of,
    http::state::AppState,
    http::{
        error::HttpError,
        signed_body::{SignedBody, StripeSignature},
        viewer::{DocumentReader, SignedIn},
    },
};

/// The query of a document request.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct DocumentQuery {
    copy: Option<String>,
}

impl DocumentQuery {
    /// `?copy=original` (the default), `duplicate` or `triplicate`.
    fn copy(&self) -> Result<orders::DocumentCopy, HttpError> {
        match self.copy.as_deref() {
            None => Ok(orders::DocumentCopy::Original),
            Some(text) => text
                .parse()
                .map_err(|message: String| HttpError::bad_request("INVALID_COPY", message)),
        }
    }
}

/// Who reads a document: the signed-in user, with their buyer organisation.
fn party_of(viewer: &crate::auth::Viewer) -> Party {
    Party::new(
        accounts_actor_of(Some(viewer)),
        viewer.buyer_organisation_id,
    )
}

/// Someone else's document is "no such document", like one that does not exist.
fn or_not_found(error: OrderError, not_found: impl Fn() -> HttpError) -> HttpError {
    match error {
        OrderError::NotFound(_) => not_found(),
        other => HttpError::from(other),
    }
}

/// A tax document as a page that no shared cache may keep.
fn private_html(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "private, no-store"))
        .body(body)
}

/// `GET /invoices/{fulfilmentId}`: for the buyer, the cooperative and admins, with
/// `Authorization: Bearer …` or the storefront's session cookie. Someone else's invoice is "no such invoice", like one
/// that does not exist.
///
/// `?copy=original` (the default), `duplicate` or `triplicate` prints the copy marked
/// for the recipient, the transporter or the supplier.
pub(crate) async fn invoice(
    DocumentReader(viewer): DocumentReader,
    path: web::Path<String>,
    query: web::Query<DocumentQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, HttpError> {
    let copy = query.copy()?;
    let not_found = || HttpError::not_found("no such invoice");
    let fulfilment_id = Uuid::parse_str(&path.into_inner()).map_err(|_| not_found())?;
    let party = party_of(&viewer);
    let invoice = state
        .orders
        .invoice_for(&party, fulfilment_id)
        .await
        .map_err(|error| or_not_found(error, not_found))?;
    Ok(private_html(orders::render_invoice_html(&invoice, copy)))
}

/// `GET /cancelled-invoices/{id}`: an invoice cancelled before it was reported, as it
/// was issued and marked CANCELLED, for the same readers as the fulfilment's invoice
/// and, like it, with a bearer header or the storefront's session cookie.
pub(crate) async fn cancelled_invoice(
    DocumentReader(viewer): DocumentReader,
    path: web::Path<String>,
    query: web::Query<DocumentQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, HttpError> {
    let copy = query.copy()?;
    let not_found = || HttpError::not_found("no such invoice");
    let cancelled_id = Uuid::parse_str(&path.into_inner()).map_err(|_| not_found())?;
    let party = party_of(&viewer);
    let invoice = state
        .orders
        .cancelled_invoice_for(&party, cancelled_id)
        .await
        .map_err(|error| or_not_found(error, not_found))?;
    Ok(private_html(orders::render_invoice_html(&invoice, copy)))
}

/// `GET /credit-notes/{noteId}`: a credit note, for the same readers as its invoice.
pub(crate) async fn credit_note(
    viewer: SignedIn,
    path: web::Path<String>,
    query: web::Query<DocumentQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, HttpError> {
    note(viewer, path, query, state, orders::NoteKind::CreditNote).await
}

/// `GET /debit-notes/{noteId}`: a debit note, for the same readers as its invoice.
pub(crate) async fn debit_note(
    viewer: SignedIn,
    path: web::Path<String>,
    query: web::Query<DocumentQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, HttpError> {
    note(viewer, path, query, state, orders::NoteKind::DebitNote).await
}

/// A note of `kind` (a credit note's id under `/debit-notes/` is no such note), with
/// the same copies as invoices.
async fn note(
    SignedIn(viewer): SignedIn,
    path: web::Path<String>,
    query: web::Query<DocumentQuery>,
    state: web::Data<AppState>,
    kind: orders::NoteKind,
) -> Result<HttpResponse, HttpError> {
    let copy = query.copy()?;
    let not_found = || HttpError::not_found("no such note");
    let note_id = Uuid::parse_str(&path.into_inner()).map_err(|_| not_found())?;
    let party = party_of(&viewer);
    let document = state
        .orders
        .note_for(&party, note_id)
        .await
        .map_err(|error| or_not_found(error, not_found))?;
    if document.note.kind != kind {
        return Err(not_found());
    }
    Ok(private_html(orders::render_note_html(&document, copy)))
}

/// `POST /webhooks/stripe`: the header is checked before the body is read
/// ([`SignedBody`]), the raw body is verified against `Stripe-Signature` before
/// anything is parsed. 400 for a bad signature or payload (Stripe shows it to the
/// operator), 200 once processed or already processed, 500 to make Stripe retry.
pub(crate) async fn stripe_webhook(
    signed: SignedBody<StripeSignature>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, HttpError> {
    let handled = state
        .orders
        .handle_stripe_webhook(signed.signature.as_deref(), &signed.body)
        .await;
    // A payment failure or a late payment can move stock.
    state.catalog_cache.invalidate();
    let outcome = handled?;
    tracing::info!(?outcome, "stripe webhook");
    Ok(HttpResponse::Ok().json(serde_json::json!({ "received": true })))
}

/// A header's value as text, at most `max` bytes: a longer or binary one is refused
/// before the body is read.
fn short_header(
    request: &HttpRequest,
    name: &str,
    max: usize,
) -> Result<Option<String>, HttpError> {
    match request.headers().get(name) {
        None => Ok(None),
        Some(value) if value.len() <= max => value
            .to_str()
            .map(|v| Some(v.to_owned()))
            .map_err(|_| HttpError::bad_request("BAD_SIGNATURE", format!("{name} is not text"))),
        Some(_) => Err(HttpError::bad_request(
            "BAD_SIGNATURE",
            format!("{name} is too long"),
        )),
    }
}

/// `POST /webhooks/razorpay`: `X-Razorpay-Signature` (HMAC-SHA256 hex of the raw
/// body) is verified before anything is parsed; `X-Razorpay-Event-Id` names the event,
/// which is applied once. Answers as Stripe's webhook does: 400 for a bad signature or
/// payload, 200 once processed or already processed, 500 to make Razorpay retry.
pub(crate) async fn razorpay_webhook(
    request: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, HttpError> {
    let signature = short_header(&request, "X-Razorpay-Signature", 128)?;
    let event_id = short_header(&request, "X-Razorpay-Event-Id", 255)?;
    let handled = state
        .orders
        .handle_razorpay_webhook(signature.as_deref(), event_id.as_deref(), &body)
        .await;
    // A late payment or a failed one can move stock.
    state.catalog_cache.invalidate();
    let outcome = handled?;
    tracing::info!(?outcome, "razorpay webhook");
    Ok(HttpResponse::Ok().json(serde_json::json!({ "received": true })))
}
