//! `POST /internal/drain`: runs every background task of this process round after round
//! until a whole round finds no work, and answers with what each did. Tests use it to
//! wait for the background work instead of sleeping. It exists only when the server was
//! started with `ENABLE_DRAIN_ENDPOINT` (never in production): 404 otherwise.
//!
//! `?due=all` also takes queue entries waiting for a retry, however far off it is, so a
//! test never waits for a backoff or a `Retry-After` to pass.

use actix_web::{HttpResponse, web};
use kernel::{queue::Due, worker::WorkerSet};
use serde::Deserialize;

use crate::http::{error::HttpError, state::AppState};

/// The process's tasks, shared with the drain route when it is enabled.
pub(crate) struct Drain(pub WorkerSet);

/// Enough for any test's backlog; a drain that reaches it reports `settled: false`.
const MAX_ROUNDS: usize = 100;

#[derive(Debug, Deserialize)]
pub(crate) struct DrainQuery {
    due: Option<String>,
}

pub(crate) async fn drain(
    state: web::Data<AppState>,
    workers: Option<web::Data<Drain>>,
    query: web::Query<DrainQuery>,
) -> Result<HttpResponse, HttpError> {
    let Some(workers) = workers else {
        return Err(HttpError::not_found("no such route"));
    };
    let due = match query.due.as_deref() {
        None | Some("now") => Due::Now,
        Some("all") => Due::All,
        Some(_) => {
            return Err(HttpError::bad_request(
                "BAD_USER_INPUT",
                "due must be now or all",
            ));
        }
    };
    let report = workers.0.drain(due, MAX_ROUNDS).await;
    // Background work changes the catalogue (stock of a channel order, a released
    // reservation) without a request here to invalidate the page cache; after a drain
    // everything it did is visible, as after a write through this process.
    if report.done.values().any(|&done| done > 0) {
        state.catalog_cache.invalidate();
    }
    Ok(HttpResponse::Ok().json(report))
}
