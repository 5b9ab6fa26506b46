//! Catalog documents served over plain HTTP: a batch's provenance trail as GS1 EPCIS 2.0
//! JSON-LD, and the bulk-import template.

use actix_web::{HttpResponse, http::header, web};
use serde_json::json;

use crate::{graphql::ApiError, startup::AppState};

pub(crate) async fn epcis(state: web::Data<AppState>, code: web::Path<String>) -> HttpResponse {
    match catalog::verify_provenance(&state.db, &code).await {
        Ok(provenance) => HttpResponse::Ok()
            .content_type("application/ld+json")
            .json(catalog::epcis::epcis_document(&provenance)),
        Err(error) => {
            let api_error = ApiError::from(error);
            let status = match api_error {
                ApiError::NotFound(_) => actix_web::http::StatusCode::NOT_FOUND,
                _ => actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
            };
            HttpResponse::build(status).json(json!({
                "errors": [{ "message": api_error.to_string(), "extensions": { "code": api_error.code() } }]
            }))
        }
    }
}

pub(crate) async fn import_template() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"product-import-template.csv\"",
        ))
        .body(catalog::import_template_csv())
}
