//! GraphiQL, served whole from this server: its page, its start-up script and the
//! vendored bundles (`api/assets/graphiql/`, GraphiQL 4.1.2 and React 18.3.1, licences
//! beside them). Nothing is fetched from a CDN, so the Content Security Policy can
//! allow scripts from this origin only, and the console works without the internet.

use actix_web::{HttpResponse, web};

use crate::http::error::HttpError;

const PAGE: &str = include_str!("../../assets/graphiql/graphiql.html");

/// The files under `/graphiql/`, by name; nothing else is served from there.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/graphiql/graphiql.min.css"),
    ),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
    ),
    (
        "start.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/start.js"),
    ),
    (
        "page.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/graphiql/page.css"),
    ),
    (
        "LICENSES.txt",
        "text/plain; charset=utf-8",
        include_bytes!("../../assets/graphiql/LICENSES.txt"),
    ),
];

/// Whether GraphiQL is served (`GRAPHIQL`; off in production unless asked for).
pub(crate) struct Graphiql {
    pub enabled: bool,
}

/// The GraphiQL page.
pub(crate) fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(PAGE)
}

/// `GET /graphiql/{file}`.
pub(crate) async fn asset(
    path: web::Path<String>,
    graphiql: web::Data<Graphiql>,
) -> Result<HttpResponse, HttpError> {
    let name = path.into_inner();
    if !graphiql.enabled {
        return Err(HttpError::not_found("no such file"));
    }
    let (_, content_type, body) = ASSETS
        .iter()
        .find(|(asset, _, _)| *asset == name)
        .ok_or_else(|| HttpError::not_found("no such file"))?;
    Ok(HttpResponse::Ok()
        .content_type(*content_type)
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(*body))
}
