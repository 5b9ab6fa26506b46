//! The HTTP surface: GraphQL, GraphiQL, health checks, catalog documents and the
//! request-id middleware.

pub(crate) mod body_deadline;
pub(crate) mod catalog_cache;
mod catalog_files;
pub(crate) mod channels;
pub(crate) mod drain;
pub(crate) mod error;
pub(crate) mod graphiql;
pub(crate) mod graphql_endpoint;
pub(crate) mod health;
mod media;
mod orders;
pub(crate) mod rate_limit;
pub(crate) mod request_id;
pub(crate) mod security_headers;
mod signed_body;
pub mod state;
pub(crate) mod storefront;
pub(crate) mod viewer;

use actix_web::web;

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        // The GraphQL multipart request spec (uploads) first; JSON otherwise.
        .route(
            "/graphql",
            web::post()
                .guard(actix_web::guard::fn_guard(graphql_endpoint::is_multipart))
                .to(graphql_endpoint::post_multipart),
        )
        .route("/graphql", web::post().to(graphql_endpoint::post))
        .route("/media", web::post().to(media::upload))
        .route("/media/{media_id}/{file}", web::get().to(media::serve))
        .route("/graphql", web::get().to(graphql_endpoint::get))
        .route("/graphiql/{file}", web::get().to(graphiql::asset))
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(health::metrics))
        .route("/internal/drain", web::post().to(drain::drain))
        .route(
            "/provenance/{code}/epcis.jsonld",
            web::get().to(catalog_files::epcis),
        )
        .route("/invoices/{fulfilment_id}", web::get().to(orders::invoice))
        .route(
            "/cancelled-invoices/{cancelled_id}",
            web::get().to(orders::cancelled_invoice),
        )
        .route(
            "/credit-notes/{note_id}",
            web::get().to(orders::credit_note),
        )
        .route("/debit-notes/{note_id}", web::get().to(orders::debit_note))
        .route("/webhooks/stripe", web::post().to(orders::stripe_webhook))
        .route(
            "/webhooks/razorpay",
            web::post().to(orders::razorpay_webhook),
        )
        .route("/feeds/{channel}/{file}", web::get().to(channels::feed))
        .route(
            "/channels/{channel}/orders",
            web::post().to(channels::order_webhook),
        )
        .route(
            "/catalog/import-template.csv",
            web::get().to(catalog_files::import_template),
        );
}
