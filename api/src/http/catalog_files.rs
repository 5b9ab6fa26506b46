//! Catalog documents served over plain HTTP: a batch's provenance trail as GS1 EPCIS 2.0
//! JSON-LD, and the bulk-import template.

use actix_web::{HttpResponse, http::header, web};

use crate::{
    http::error::HttpError,
    http::{state::AppState, viewer::MaybeSignedIn},
};

/// `GET /provenance/{code}/epcis.jsonld`: public for an active product of a verified
/// cooperative; otherwise for its staff and admins only (`Authorization: Bearer …`).
pub(crate) async fn epcis(
    state: web::Data<AppState>,
    code: web::Path<String>,
    viewer: Result<MaybeSignedIn, HttpError>,
) -> Result<HttpResponse, HttpError> {
    let MaybeSignedIn(viewer) = viewer?;
    let actor = crate::graphql::accounts_actor_of(viewer.as_ref());
    let provenance = catalog::verify_provenance(&state.db, &actor, &code).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/ld+json")
        .json(catalog::epcis::epcis_document(&provenance)))
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
