//! What every page shares: the request context (session, language, GraphQL client),
//! the layout's data, the HTML response with the session's cookies, the error pages,
//! the language switch, robots.txt and sitemap.xml.

use actix_web::{
    HttpMessage, HttpRequest, HttpResponse,
    http::{StatusCode, header},
    web,
};
use askama::Template;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{
    assets,
    graphql::{Caller, Client, GqlError},
    i18n::{Lang, Tr},
    session::{self, Session},
};

/// The request id the host application assigned (echoed as `x-request-id`).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Pages are HTML from this origin only; forms post to this origin; the referrer is
/// kept within the site, so that POSTs carry an `Origin` the CSRF check can compare.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// The payment step's policy: the site's own, plus Stripe.js, the frames of its Payment
/// Element and the API it calls (Stripe's documented CSP for Elements). No other page
/// lets a browser reach another origin.
const PAYMENT_CONTENT_SECURITY_POLICY: &str = "default-src 'none'; \
     script-src 'self' https://js.stripe.com; style-src 'self'; \
     img-src 'self' data: https://*.stripe.com; connect-src 'self' https://api.stripe.com; \
     frame-src https://js.stripe.com https://hooks.stripe.com; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// The layout's data, held by every page template.
pub(crate) struct Layout {
    pub t: Tr,
    pub lang: &'static str,
    pub title: String,
    pub description: String,
    pub canonical: String,
    pub css: String,
    pub js: String,
    pub csrf: String,
    pub signed_in: bool,
    /// The current path, for the language switch to come back to.
    pub here: String,
    /// The other language's code and its own name.
    pub other_lang: &'static str,
    pub other_lang_name: String,
    pub noindex: bool,
}

/// One page request.
pub(crate) struct Ctx {
    pub request: HttpRequest,
    pub session: Session,
    executor: Option<crate::Executor>,
    pub request_id: String,
    pub t: Tr,
}

impl Ctx {
    pub fn new(request: &HttpRequest) -> Self {
        let session = Session::of(request);
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(|id| id.0.clone())
            .unwrap_or_default();
        Self {
            t: Tr { lang: session.lang },
            request: request.clone(),
            session,
            executor: request
                .app_data::<web::Data<crate::Executor>>()
                .map(|e| e.get_ref().clone()),
            request_id,
        }
    }

    fn caller(&self) -> Caller {
        Caller {
            access_token: None,
            request_id: self.request_id.clone(),
            peer: crate::peer(&self.request),
            headers: self.request.headers().clone(),
        }
    }

    /// Runs a document for this request's viewer.
    pub async fn run<T: serde::de::DeserializeOwned>(
        &mut self,
        document: &str,
        variables: Value,
    ) -> Result<T, GqlError> {
        self.run_with(document, variables, true).await
    }

    pub async fn run_with<T: serde::de::DeserializeOwned>(
        &mut self,
        document: &str,
        variables: Value,
        renew: bool,
    ) -> Result<T, GqlError> {
        self.run_upload(document, variables, renew, None).await
    }

    /// Runs a document that sends a file (`mediaUpload`).
    pub async fn run_upload<T: serde::de::DeserializeOwned>(
        &mut self,
        document: &str,
        variables: Value,
        renew: bool,
        upload: Option<&crate::graphql::FileUpload>,
    ) -> Result<T, GqlError> {
        let Some(executor) = self.executor.clone() else {
            return Err(GqlError::Internal("the storefront has no executor".into()));
        };
        let caller = self.caller();
        let mut client = Client {
            executor: &executor,
            caller,
            tokens: &mut self.session.tokens,
        };
        client.run_upload(document, variables, renew, upload).await
    }

    fn origin(&self) -> String {
        let info = self.request.connection_info();
        format!("{}://{}", info.scheme(), info.host())
    }

    /// The layout for a page at `path` (its canonical URL).
    pub fn layout(&self, title: String, description: String, path: &str) -> Layout {
        let other = match self.session.lang {
            Lang::En => Lang::Hi,
            Lang::Hi => Lang::En,
        };
        let here = match self.request.query_string() {
            "" => self.request.path().to_owned(),
            query => format!("{}?{query}", self.request.path()),
        };
        Layout {
            t: self.t,
            lang: self.session.lang.code(),
            title,
            description,
            canonical: format!("{}{path}", self.origin()),
            css: assets::css_path(),
            js: assets::js_path(),
            csrf: self.session.csrf.clone(),
            signed_in: self.session.tokens.signed_in(),
            here,
            other_lang: other.code(),
            other_lang_name: Tr { lang: other }.t("lang-name"),
            noindex: false,
        }
    }

    /// An HTML response with the session's cookies and the page headers.
    pub fn html(&self, status: StatusCode, body: String) -> HttpResponse {
        let mut response = HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
            .insert_header((header::REFERRER_POLICY, "same-origin"))
            // Pages hold the viewer's cart and name: never kept by shared caches.
            .insert_header((header::CACHE_CONTROL, "private, no-cache"))
            .insert_header((header::VARY, "Cookie, Accept-Language"))
            .body(body);
        self.session.apply(&mut response);
        response
    }

    /// Renders a template as the page, or the 500 page when it cannot be.
    pub fn render(&self, status: StatusCode, page: &impl Template) -> HttpResponse {
        match page.render() {
            Ok(body) => self.html(status, body),
            Err(error) => {
                tracing::error!(%error, "a page did not render");
                self.internal_error()
            }
        }
    }

    /// The payment step: rendered like any page, under the policy that lets Stripe.js
    /// in, and kept by no cache (it holds the payment's client secret).
    pub fn render_payment(&self, page: &impl Template) -> HttpResponse {
        let mut response = self.render(StatusCode::OK, page);
        if response.status() == StatusCode::OK {
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                header::HeaderValue::from_static(PAYMENT_CONTENT_SECURITY_POLICY),
            );
            headers.insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("private, no-store"),
            );
        }
        response
    }

    /// 303 to a local path, with the session's cookies.
    pub fn redirect(&self, location: &str) -> HttpResponse {
        let target = session::local_path(location).unwrap_or("/");
        let mut response = HttpResponse::SeeOther()
            .insert_header((header::LOCATION, target))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish();
        self.session.apply(&mut response);
        response
    }

    /// The page for a GraphQL failure.
    pub fn failure(&self, error: GqlError) -> HttpResponse {
        match error {
            GqlError::NotFound => self.not_found_page(),
            GqlError::Unauthenticated => {
                let next = self.request.path();
                self.redirect(&format!("/sign-in?next={}", encode(next)))
            }
            GqlError::Forbidden => self.message(StatusCode::FORBIDDEN, "error-forbidden"),
            GqlError::RateLimited => {
                self.message(StatusCode::TOO_MANY_REQUESTS, "error-rate-limited")
            }
            // A page that expects a conflict handles it before; anywhere else it is
            // as unexpected as any failure.
            GqlError::Internal(message) | GqlError::Conflict(message) => {
                tracing::error!(%message, "a storefront document failed");
                self.internal_error()
            }
        }
    }

    pub fn not_found_page(&self) -> HttpResponse {
        self.message(StatusCode::NOT_FOUND, "error-not-found")
    }

    fn message(&self, status: StatusCode, key: &str) -> HttpResponse {
        let page = ErrorPage {
            layout: Layout {
                noindex: true,
                ..self.layout(self.t.t(key), self.t.t(key), "/")
            },
            heading: self.t.t(key),
            body: self.t.t(&format!("{key}-body")),
            request_id: None,
        };
        match page.render() {
            Ok(body) => self.html(status, body),
            Err(error) => {
                tracing::error!(%error, "the error page did not render");
                HttpResponse::build(status).finish()
            }
        }
    }

    /// The 500 page: the request id, nothing internal.
    pub fn internal_error(&self) -> HttpResponse {
        let page = ErrorPage {
            layout: Layout {
                noindex: true,
                ..self.layout(self.t.t("error-internal"), String::new(), "/")
            },
            heading: self.t.t("error-internal"),
            body: self.t.t("error-internal-body"),
            request_id: Some(self.request_id.clone()),
        };
        let body = page.render().unwrap_or_else(|_| self.request_id.clone());
        self.html(StatusCode::INTERNAL_SERVER_ERROR, body)
    }
}

/// A posted form's fields.
pub(crate) type FormData = std::collections::HashMap<String, String>;

/// A form field, trimmed; empty when absent.
pub(crate) fn field<'a>(form: &'a FormData, name: &str) -> &'a str {
    form.get(name).map_or("", |v| v.trim())
}

impl Ctx {
    /// The CSRF check of a POST: None when it passes, otherwise the 403 page.
    pub fn csrf_refusal(&self, form: &FormData) -> Option<HttpResponse> {
        if session::csrf_ok(&self.request, &self.session, field(form, "csrf")) {
            None
        } else {
            tracing::warn!(path = self.request.path(), "a POST failed the CSRF check");
            Some(self.message(StatusCode::FORBIDDEN, "error-csrf"))
        }
    }

    /// Whether the page's script asked for a JSON answer.
    pub fn wants_json(&self) -> bool {
        self.request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"))
    }

    /// A JSON answer with the session's cookies.
    pub fn json(&self, value: &Value) -> HttpResponse {
        let mut response = HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(value);
        self.session.apply(&mut response);
        response
    }
}

/// Percent-encodes a query value.
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(char::from(byte));
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    heading: String,
    body: String,
    request_id: Option<String>,
}

pub(crate) async fn not_found(request: HttpRequest) -> HttpResponse {
    Ctx::new(&request).not_found_page()
}

#[derive(Deserialize)]
struct LangQuery {
    next: Option<String>,
}

/// `GET /lang/{code}?next=/path`: remembers the language and goes back.
async fn switch_language(
    request: HttpRequest,
    code: web::Path<String>,
    query: web::Query<LangQuery>,
) -> HttpResponse {
    let mut ctx = Ctx::new(&request);
    let Some(lang) = Lang::from_code(&code) else {
        return ctx.not_found_page();
    };
    ctx.session.set_lang(lang);
    let next = query
        .next
        .as_deref()
        .and_then(session::local_path)
        .unwrap_or("/");
    ctx.redirect(next)
}

async fn robots(request: HttpRequest) -> HttpResponse {
    let ctx = Ctx::new(&request);
    let body = format!(
        "User-agent: *\nDisallow: /cart\nDisallow: /checkout\nDisallow: /account\nDisallow: /sign-in\nDisallow: /sign-up\nDisallow: /graphql\nSitemap: {}/sitemap.xml\n",
        ctx.origin()
    );
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(body)
}

#[derive(Deserialize)]
struct Slugged {
    slug: String,
}

#[derive(Deserialize)]
struct SlugConnection {
    nodes: Vec<Slugged>,
    #[serde(rename = "pageInfo")]
    page_info: PageInfo,
}

#[derive(Deserialize)]
pub(crate) struct PageInfo {
    #[serde(rename = "hasNextPage")]
    pub has_next_page: bool,
    #[serde(rename = "endCursor")]
    pub end_cursor: Option<String>,
}

const SITEMAP_PRODUCTS: &str = "query($after: String) { products(first: 100, after: $after) { nodes { slug } pageInfo { hasNextPage endCursor } } }";
const SITEMAP_COOPERATIVES: &str = "query($after: String) { cooperatives(first: 100, after: $after) { nodes { slug } pageInfo { hasNextPage endCursor } } }";

/// Every page of a connection's slugs (bounded, so a huge catalogue cannot hold the
/// request forever: the sitemap protocol's own limit is 50,000 URLs).
async fn all_slugs(ctx: &mut Ctx, document: &str, field: &str) -> Result<Vec<String>, GqlError> {
    let mut slugs = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..200 {
        let data: Value = ctx.run(document, json!({ "after": after })).await?;
        let connection: SlugConnection = data
            .get(field)
            .cloned()
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| GqlError::Internal(e.to_string()))?
            .ok_or_else(|| GqlError::Internal(format!("no {field}")))?;
        slugs.extend(connection.nodes.into_iter().map(|n| n.slug));
        if !connection.page_info.has_next_page {
            break;
        }
        after = connection.page_info.end_cursor;
    }
    Ok(slugs)
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

async fn sitemap(request: HttpRequest) -> HttpResponse {
    let mut ctx = Ctx::new(&request);
    let products = match all_slugs(&mut ctx, SITEMAP_PRODUCTS, "products").await {
        Ok(slugs) => slugs,
        Err(error) => return ctx.failure(error),
    };
    let cooperatives = match all_slugs(&mut ctx, SITEMAP_COOPERATIVES, "cooperatives").await {
        Ok(slugs) => slugs,
        Err(error) => return ctx.failure(error),
    };
    let origin = ctx.origin();
    let mut body = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let urls = std::iter::once("/".to_owned())
        .chain(std::iter::once("/search".to_owned()))
        .chain(products.iter().map(|s| format!("/products/{}", encode(s))))
        .chain(
            cooperatives
                .iter()
                .map(|s| format!("/cooperatives/{}", encode(s))),
        );
    for path in urls {
        body.push_str(&format!(
            "  <url><loc>{}</loc></url>\n",
            xml_escape(&format!("{origin}{path}"))
        ));
    }
    body.push_str("</urlset>\n");
    HttpResponse::Ok()
        .content_type("application/xml; charset=utf-8")
        .body(body)
}

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/lang/{code}", web::get().to(switch_language))
        .route("/robots.txt", web::get().to(robots))
        .route("/sitemap.xml", web::get().to(sitemap));
}
