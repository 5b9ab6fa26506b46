//! `/healthz` says the process is alive; `/readyz` says it can serve, i.e. its database
//! answers. Load balancers route only to ready replicas.

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::http::state::AppState;

pub(crate) async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

pub(crate) async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let database = state.db.ping().await;
    if let Err(error) = &database {
        tracing::warn!(error = %error, "readiness check: database unreachable");
    }
    let search = state.search_index.health().await;
    if let Err(error) = &search {
        tracing::warn!(error = %error, "readiness check: search index unavailable");
    }
    let ready = database.is_ok() && search.is_ok();
    let body = json!({
        "status": if ready { "ready" } else { "unavailable" },
        "checks": {
            "database": if database.is_ok() { "ok" } else { "unreachable" },
            "search": if search.is_ok() { "ok" } else { "unavailable" },
            "searchBackend": state.search_index.backend(),
        },
    });
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

pub(crate) async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render())
}
