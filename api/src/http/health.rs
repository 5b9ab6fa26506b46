//! `/healthz` says the process is alive; `/readyz` says it can serve, i.e. its database
//! answers. Load balancers route only to ready replicas.

use std::net::SocketAddr;

use actix_web::{HttpRequest, HttpResponse, http::header, web};
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

/// Where `/metrics` may be read (`crate::settings::MetricsSettings`), with the port
/// the private listener got.
pub(crate) struct MetricsAccess {
    pub settings: crate::settings::MetricsSettings,
    pub private_addr: Option<SocketAddr>,
}

impl MetricsAccess {
    fn allows(&self, request: &HttpRequest) -> bool {
        if self
            .private_addr
            .is_some_and(|private| request.app_config().local_addr() == private)
        {
            return true;
        }
        if let Some(token) = &self.settings.token {
            let presented = request
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or_default();
            return crate::http::channels::same(presented.as_bytes(), token.as_bytes());
        }
        self.settings.open_on_public_address
    }
}

/// Not found, rather than forbidden, where `/metrics` is not served: the public
/// address of a production server does not admit to having it.
pub(crate) async fn metrics(
    request: HttpRequest,
    state: web::Data<AppState>,
    access: web::Data<MetricsAccess>,
) -> HttpResponse {
    if !access.allows(&request) {
        return if access.settings.token.is_some() {
            HttpResponse::Unauthorized()
                .insert_header((header::WWW_AUTHENTICATE, "Bearer"))
                .finish()
        } else {
            HttpResponse::NotFound().finish()
        };
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render())
}
