//! Order documents and provider callbacks: a fulfilment's GST invoice as HTML, and
//! Stripe's webhook.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use orders::{OrderError, Party, WebhookError};
use uuid::Uuid;

use crate::{
    graphql::accounts_actor_of,
    http::graphql_endpoint::{error_response, viewer_from},
    startup::AppState,
};

/// `GET /invoices/{fulfilmentId}`: for the buyer, the cooperative and admins, with
/// `Authorization: Bearer …`.
pub(crate) async fn invoice(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let viewer = match viewer_from(&request, &state) {
        Ok(Some(viewer)) => viewer,
        Ok(None) => {
            return error_response(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "sign in first");
        }
        Err(message) => {
            return error_response(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", message);
        }
    };
    let Ok(fulfilment_id) = Uuid::parse_str(&path.into_inner()) else {
        return error_response(StatusCode::NOT_FOUND, "NOT_FOUND", "no such invoice");
    };
    let party = Party::new(
        accounts_actor_of(Some(&viewer)),
        viewer.buyer_organisation_id,
    );
    match state.orders.invoice_for(&party, fulfilment_id).await {
        Ok(invoice) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header(("Cache-Control", "private, no-store"))
            .body(orders::render_invoice_html(&invoice)),
        Err(OrderError::NotFound(_)) => {
            error_response(StatusCode::NOT_FOUND, "NOT_FOUND", "no such invoice")
        }
        Err(OrderError::Conflict(message)) => {
            error_response(StatusCode::CONFLICT, "CONFLICT", &message)
        }
        Err(OrderError::Unauthenticated) => {
            error_response(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "sign in first")
        }
        Err(OrderError::Forbidden(message)) => {
            error_response(StatusCode::FORBIDDEN, "FORBIDDEN", &message)
        }
        Err(e) => {
            tracing::error!(error = %e, "rendering an invoice");
            error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error",
            )
        }
    }
}

/// `POST /webhooks/stripe`: the raw body is verified against `Stripe-Signature` before
/// anything is parsed. 400 for a bad signature or payload (Stripe shows it to the
/// operator), 200 once processed or already processed, 500 to make Stripe retry.
pub(crate) async fn stripe_webhook(
    request: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let signature = request
        .headers()
        .get("Stripe-Signature")
        .and_then(|v| v.to_str().ok());
    let handled = state.orders.handle_stripe_webhook(signature, &body).await;
    // A payment failure or a late payment can move stock.
    state.catalog_cache.invalidate();
    match handled {
        Ok(outcome) => {
            tracing::info!(?outcome, "stripe webhook");
            HttpResponse::Ok().json(serde_json::json!({ "received": true }))
        }
        Err(WebhookError::Signature(message)) => {
            tracing::warn!(message, "stripe webhook refused");
            error_response(StatusCode::BAD_REQUEST, "BAD_SIGNATURE", &message)
        }
        Err(WebhookError::Payload(message)) => {
            error_response(StatusCode::BAD_REQUEST, "BAD_PAYLOAD", &message)
        }
        Err(WebhookError::NotConfigured) => error_response(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "card payments are not configured",
        ),
        Err(WebhookError::Order(e)) => {
            tracing::error!(error = %e, "stripe webhook failed; Stripe will retry");
            error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error",
            )
        }
    }
}
