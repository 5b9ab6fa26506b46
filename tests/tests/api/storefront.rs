//! The buyers' storefront over plain HTTP: its pages, the session cookies and their
//! flags, CSRF refusals, redirects after sign-in, escaping of hostile text, the error
//! pages, the hashed assets, and a whole purchase from search to invoice without a
//! browser (what a browser with JavaScript off sends).

use std::collections::BTreeMap;

use reqwest::{Response, header, redirect::Policy};
use serde_json::json;

use crate::{
    both_backends,
    support::{
        Backend, ServerOptions, TestServer,
        flows::{self, PASSWORD},
        server::clock_passes,
    },
};

/// A browser's cookie jar and the requests it makes, redirects not followed.
pub(crate) struct Browser<'a> {
    server: &'a TestServer,
    client: reqwest::Client,
    pub(crate) cookies: BTreeMap<String, String>,
    /// Every `Set-Cookie` seen, whole, to check the flags.
    set_cookies: Vec<String>,
}

impl<'a> Browser<'a> {
    pub(crate) fn new(server: &'a TestServer) -> Self {
        Self {
            server,
            client: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .unwrap(),
            cookies: BTreeMap::new(),
            set_cookies: Vec::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn remember(&mut self, response: &Response) {
        for value in response.headers().get_all(header::SET_COOKIE) {
            let text = value.to_str().unwrap().to_owned();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || text.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
            self.set_cookies.push(text);
        }
    }

    pub(crate) async fn get(&mut self, path: &str) -> Response {
        let response = self
            .client
            .get(self.server.url(path))
            .header(header::COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.remember(&response);
        response
    }

    pub(crate) async fn page(&mut self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.text().await.unwrap()
    }

    /// A form post as a browser sends it from one of the site's pages.
    pub(crate) async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let origin = self.server.base_url.clone();
        self.post_from(path, fields, Some(&origin)).await
    }

    pub(crate) async fn post_from(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        origin: Option<&str>,
    ) -> Response {
        let mut request = self
            .client
            .post(self.server.url(path))
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(
                fields
                    .iter()
                    .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
                    .collect::<Vec<_>>()
                    .join("&"),
            );
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        let response = request.send().await.unwrap();
        self.remember(&response);
        response
    }

    /// A multipart form post (a file upload) as a browser sends it from one of the
    /// site's pages.
    pub(crate) async fn post_multipart(
        &mut self,
        path: &str,
        parts: &[crate::support::multipart::Part<'_>],
    ) -> Response {
        let (content_type, body) = crate::support::multipart::multipart(parts);
        let response = self
            .client
            .post(self.server.url(path))
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, content_type)
            .header(header::ORIGIN, self.server.base_url.clone())
            .body(body)
            .send()
            .await
            .unwrap();
        self.remember(&response);
        response
    }

    pub(crate) fn csrf(&self) -> String {
        self.cookies["lm_csrf"].clone()
    }

    fn set_cookie(&self, name: &str) -> &str {
        self.set_cookies
            .iter()
            .rev()
            .find(|c| c.starts_with(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no Set-Cookie {name} in {:?}", self.set_cookies))
    }
}

pub(crate) fn location(response: &Response) -> String {
    response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned()
}

/// The values of an attribute in a page, in order.
pub(crate) fn attributes(html: &str, name: &str) -> Vec<String> {
    let needle = format!(" {name}=\"");
    html.match_indices(&needle)
        .map(|(at, _)| {
            let rest = &html[at + needle.len()..];
            rest[..rest.find('"').unwrap()].replace("&#38;", "&")
        })
        .collect()
}

/// The variant ids a product page offers (its add-to-cart forms).
fn variant_ids(html: &str) -> Vec<String> {
    html.match_indices("name=\"variant\" value=\"")
        .map(|(at, _)| {
            let rest = &html[at + "name=\"variant\" value=\"".len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect()
}

/// Why a post should be refused, its fields, and the `Origin` it is sent with.
type Refusal<'a> = (&'a str, Vec<(&'a str, &'a str)>, Option<&'a str>);

const GI_APRICOT: &str = "/products/raktsey-karpo-dried-apricots-500g";

async fn pages_carry_their_metadata_and_cookie_flags(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let mut browser = Browser::new(&server);
    let home = browser.get("/").await;
    assert_eq!(home.status(), 200);
    let csp = home.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()?
        .to_owned();
    assert!(csp.contains("form-action 'self'"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let html = home.text().await?;
    assert!(html.starts_with("<!doctype html>\n<html lang=\"en\">"));
    assert!(html.contains("<title>"));
    assert!(html.contains("<meta name=\"description\" content=\"Buy Raktsey Karpo"));
    assert!(html.contains(&format!(
        "<link rel=\"canonical\" href=\"{}/\">",
        server.base_url
    )));
    // The four product lines, GI products, cooperatives by district.
    for line in ["Apricot", "Sea Buckthorn", "Pashmina", "Handloom"] {
        assert!(html.contains(&format!(">{line}</a>")), "{line}");
    }
    assert!(html.contains("GI: Raktsey Karpo Apricot"));
    assert!(html.contains("<h3>Sham</h3>"));

    let csrf = browser.set_cookie("lm_csrf").to_owned();
    assert!(csrf.contains("HttpOnly"), "{csrf}");
    assert!(csrf.contains("SameSite=Lax"), "{csrf}");
    assert!(!csrf.contains("Secure"), "localhost is plain HTTP: {csrf}");

    // Any other host gets Secure cookies.
    let elsewhere = reqwest::Client::new()
        .get(server.url("/"))
        .header(header::HOST, "shop.example.org")
        .send()
        .await?;
    let cookie = elsewhere.headers()[header::SET_COOKIE].to_str()?;
    assert!(cookie.contains("Secure"), "{cookie}");

    // Hindi through Accept-Language, and the switch remembered in a cookie.
    let hindi = reqwest::Client::new()
        .get(server.url("/"))
        .header(header::ACCEPT_LANGUAGE, "hi-IN,hi;q=0.9,en;q=0.5")
        .send()
        .await?
        .text()
        .await?;
    assert!(hindi.contains("<html lang=\"hi\">"));
    assert!(hindi.contains("सीधे लद्दाख की सहकारी समितियों से"));
    let switch = browser.get("/lang/hi?next=/search%3Fq%3Dkhubani").await;
    assert_eq!(switch.status(), 303);
    assert_eq!(location(&switch), "/search?q=khubani");
    assert!(browser.set_cookie("lm_lang").starts_with("lm_lang=hi"));
    let search = browser.page("/search?q=khubani").await;
    assert!(search.contains("<html lang=\"hi\">"));
    let away = browser.get("/lang/en?next=//evil.example.org/").await;
    assert_eq!(location(&away), "/");

    // A plain search and a known batch's trail are pages for search engines (what
    // Lighthouse's SEO audit asks); a filtered search points to its plain one.
    let noindex = "<meta name=\"robots\" content=\"noindex\">";
    let plain = reqwest::get(server.url("/search?q=khubani"))
        .await?
        .text()
        .await?;
    assert!(!plain.contains(noindex), "{plain}");
    assert!(plain.contains(&format!(
        "<link rel=\"canonical\" href=\"{}/search?q=khubani\">",
        server.base_url
    )));
    let filtered = reqwest::get(server.url("/search?q=khubani&district=Sham&sort=newest"))
        .await?
        .text()
        .await?;
    assert!(filtered.contains(noindex));
    assert!(filtered.contains(&format!(
        "<link rel=\"canonical\" href=\"{}/search?q=khubani\">",
        server.base_url
    )));
    let verify = reqwest::get(server.url("/verify/LDK-RKA-25-0001"))
        .await?
        .text()
        .await?;
    assert!(verify.contains("Chain intact"), "{verify}");
    assert!(!verify.contains(noindex));
    let unknown = reqwest::get(server.url("/verify/NO-SUCH-CODE"))
        .await?
        .text()
        .await?;
    assert!(unknown.contains(noindex));

    let robots = browser.page("/robots.txt").await;
    assert!(robots.contains(&format!("Sitemap: {}/sitemap.xml", server.base_url)));
    let sitemap = browser.page("/sitemap.xml").await;
    assert!(sitemap.contains(&format!("<loc>{}{GI_APRICOT}</loc>", server.base_url)));
    assert!(sitemap.contains(&format!(
        "<loc>{}/cooperatives/sham-apricot-growers-demo</loc>",
        server.base_url
    )));
    Ok(())
}

async fn posts_without_a_valid_csrf_token_or_origin_are_refused(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let mut browser = Browser::new(&server);
    let product = browser.page(GI_APRICOT).await;
    let variant = variant_ids(&product).remove(0);
    let csrf = browser.csrf();
    let origin = server.base_url.clone();
    let wrong_token = "0".repeat(64);
    let refusals: [Refusal<'_>; 4] = [
        (
            "missing token",
            vec![("variant", &variant), ("quantity", "1")],
            Some(&origin),
        ),
        (
            "wrong token",
            vec![
                ("csrf", &wrong_token),
                ("variant", &variant),
                ("quantity", "1"),
            ],
            Some(&origin),
        ),
        (
            "foreign origin",
            vec![("csrf", &csrf), ("variant", &variant), ("quantity", "1")],
            Some("https://evil.example.org"),
        ),
        (
            "no origin nor referer",
            vec![("csrf", &csrf), ("variant", &variant), ("quantity", "1")],
            None,
        ),
    ];
    for (why, fields, from) in refusals {
        let response = browser.post_from("/cart/add", &fields, from).await;
        assert_eq!(response.status(), 403, "{why}");
        let body = response.text().await?;
        assert!(body.contains("This form has expired"), "{why}");
    }
    assert!(
        !browser.page("/cart").await.contains(&variant),
        "a refused post changed the cart"
    );
    // A token that is not the browser's own cookie's does not count either.
    let mut other = Browser::new(&server);
    other.page("/").await;
    let stolen = other
        .post(
            "/cart/add",
            &[("csrf", &csrf), ("variant", &variant), ("quantity", "1")],
        )
        .await;
    assert_eq!(stolen.status(), 403);

    let accepted = browser
        .post(
            "/cart/add",
            &[("csrf", &csrf), ("variant", &variant), ("quantity", "1")],
        )
        .await;
    assert_eq!(accepted.status(), 303);
    assert_eq!(location(&accepted), "/cart");
    let cart = browser.set_cookie("lm_cart").to_owned();
    assert!(
        cart.contains("HttpOnly") && cart.contains("SameSite=Lax"),
        "{cart}"
    );
    assert!(browser.page("/cart").await.contains(&variant));
    Ok(())
}

async fn sign_in_goes_only_to_local_paths(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let email = "redirects@example.org";
    flows::buyer_token(&server, email).await;
    for (next, expected) in [
        ("//evil.example.org/", "/account"),
        ("https://evil.example.org/", "/account"),
        ("/\\evil.example.org", "/account"),
        ("/cart", "/cart"),
    ] {
        let mut browser = Browser::new(&server);
        let form = browser
            .page(&format!("/sign-in?next={}", urlencode(next)))
            .await;
        assert!(form.contains("autocomplete=\"current-password\""));
        let csrf = browser.csrf();
        let response = browser
            .post(
                "/sign-in",
                &[
                    ("csrf", &csrf),
                    ("email", email),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "{next}");
        assert_eq!(location(&response), expected, "{next}");
        for name in ["lm_access", "lm_refresh"] {
            let cookie = browser.set_cookie(name);
            assert!(
                cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
                "{cookie}"
            );
        }
    }
    // A wrong password keeps what was typed, except the password.
    let mut browser = Browser::new(&server);
    browser.page("/sign-in").await;
    let csrf = browser.csrf();
    let wrong = browser
        .post(
            "/sign-in",
            &[
                ("csrf", &csrf),
                ("email", email),
                ("password", "not-it-at-all"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    let body = wrong.text().await?;
    assert!(body.contains("Wrong email or password."));
    assert!(body.contains(&format!("value=\"{email}\"")));
    assert!(!body.contains("not-it-at-all"));
    Ok(())
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn hostile_text_is_escaped_everywhere(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = flows::admin_token(&server).await;
    let product = server
        .graphql(
            "query($slug: String) { product(slug: $slug) { id } }",
            json!({ "slug": "raktsey-karpo-dried-apricots-500g" }),
        )
        .await;
    let id = product["data"]["product"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let title = "Apricots <img src=x onerror=alert(1)>";
    let description = "Sweet </script><script>alert(2)</script> & \"quoted\"";
    let updated = server
        .graphql_as(
            Some(&admin),
            "mutation($input: ProductUpdateInput!) { productUpdate(input: $input) { errors { message } } }",
            json!({ "input": { "id": id, "title": title, "description": description } }),
        )
        .await;
    assert!(
        flows::user_errors(&updated, "productUpdate").is_empty(),
        "{updated}"
    );

    let mut browser = Browser::new(&server);
    let page = browser.page(GI_APRICOT).await;
    assert!(!page.contains("<img src=x"), "title not escaped");
    assert!(
        page.contains("Apricots &#60;img src=x onerror=alert(1)&#62;")
            || page.contains("Apricots &lt;img src=x onerror=alert(1)&gt;")
    );
    assert!(
        !page.contains("<script>alert(2)"),
        "description not escaped"
    );
    // Inside the JSON-LD the text is JSON with `<` escaped, so it cannot end the script.
    assert!(page.contains("Sweet \\u003c/script\\u003e\\u003cscript\\u003ealert(2)"));
    assert_eq!(
        page.matches("</script>").count(),
        2,
        "the JSON-LD and the script tag only"
    );

    let hostile = "<script>alert(3)</script>\"'";
    let search = browser
        .page(&format!("/search?q={}", urlencode(hostile)))
        .await;
    assert!(!search.contains("<script>alert(3)"));
    assert!(search.contains("alert(3)"), "the term is shown, escaped");
    let verify = browser
        .get(&format!("/verify/{}", urlencode(hostile)))
        .await;
    assert_eq!(verify.status(), 404);
    let verify = verify.text().await?;
    assert!(!verify.contains("<script>alert(3)"));
    assert!(verify.contains("We do not know this code."));
    Ok(())
}

async fn not_found_and_internal_error_pages(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let mut browser = Browser::new(&server);
    for path in [
        "/no/such/page",
        "/products/no-such-product",
        "/cooperatives/nobody",
        "/orders/not-an-id",
        "/assets/site.0000.css",
    ] {
        let response = browser.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        let body = response.text().await?;
        assert!(body.contains("<h1>Page not found</h1>"), "{path}");
        assert!(
            body.contains("<meta name=\"robots\" content=\"noindex\">"),
            "{path}"
        );
    }
    // Existing routes keep working beside the storefront.
    assert_eq!(browser.get("/healthz").await.status(), 200);
    let graphql = server.graphql("{ categories { slug } }", json!({})).await;
    assert!(graphql["data"]["categories"].is_array());

    // The products table taken away under the server: the page fails inside, and
    // the buyer sees the request id and nothing of the failure.
    let db = sea_orm::Database::connect(&server.database.url).await?;
    sea_orm::ConnectionTrait::execute_unprepared(
        &db,
        "ALTER TABLE products RENAME TO products_away",
    )
    .await?;
    let failed = browser
        .get("/products/raktsey-karpo-dried-apricots-500g")
        .await;
    assert_eq!(failed.status(), 500);
    let id = failed.headers()["x-request-id"].to_str()?.to_owned();
    let body = failed.text().await?;
    assert!(body.contains(&format!("<code>{id}</code>")), "{body}");
    for leak in ["products", "table", "relation", "SQL", "sql"] {
        let main = &body[body.find("<main").unwrap()..body.find("</main>").unwrap()];
        assert!(!main.contains(leak), "{leak} in {main}");
    }
    Ok(())
}

async fn assets_are_hashed_immutable_and_compressed(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let mut browser = Browser::new(&server);
    let home = browser.page("/").await;
    let css = attributes(&home, "href")
        .into_iter()
        .find(|h| h.starts_with("/assets/site.") && h.ends_with(".css"))
        .unwrap();
    let js = attributes(&home, "src")
        .into_iter()
        .find(|h| h.starts_with("/assets/site.") && h.ends_with(".js"))
        .unwrap();
    for path in [&css, &js] {
        let hash = path.split('.').nth(1).unwrap();
        assert_eq!(hash.len(), 12, "{path}");
        let plain = browser.client.get(server.url(path)).send().await?;
        assert_eq!(plain.status(), 200);
        assert_eq!(
            plain.headers()[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        assert_ne!(
            plain
                .headers()
                .get(header::CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap()),
            Some("gzip")
        );
        let plain = plain.bytes().await?;
        let gzipped = browser
            .client
            .get(server.url(path))
            .header(header::ACCEPT_ENCODING, "gzip")
            .send()
            .await?;
        assert_eq!(gzipped.headers()[header::CONTENT_ENCODING], "gzip");
        assert_eq!(
            gzipped.headers()[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        let compressed = gzipped.bytes().await?;
        assert!(compressed.len() < plain.len());
        let mut decoded = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(compressed.as_ref()),
            &mut decoded,
        )?;
        assert_eq!(decoded, plain.as_ref());
        // The name is the content's: the same hash for the same bytes.
        let digest =
            sha2::Digest::finalize(sha2::Digest::chain_update(sha2::Sha256::default(), &plain));
        assert!(hex::encode(digest).starts_with(hash));
    }
    Ok(())
}

/// Attribute values that would make a browser ask another origin for something.
fn foreign_urls(html: &str) -> Vec<String> {
    ["src", "href", "action", "srcset", "poster", "data"]
        .iter()
        .flat_map(|name| attributes(html, name))
        .filter(|value| {
            let lower = value.to_ascii_lowercase();
            lower.starts_with("//")
                || (lower.contains("://") && !lower.starts_with("http://127.0.0.1"))
        })
        .collect()
}

/// A whole purchase as a browser without JavaScript makes it: search "khubani", narrow
/// by district, open the GI apricot, see its provenance, add two variants, sign up at
/// checkout, pay cash on delivery, see the GST split; the cooperative ships through the
/// API and the buyer opens the invoice from the order page. Every page on the way
/// names no other origin.
async fn a_buyer_purchases_without_javascript(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    // The demo catalogue indexed for search.
    server.drain_all().await;
    let mut browser = Browser::new(&server);
    let mut visited = Vec::new();

    let search = browser.page("/search?q=khubani").await;
    assert!(search.contains("Raktsey Karpo Dried Apricots"));
    let district = attributes(&search, "href")
        .into_iter()
        .find(|h| h.contains("district=Sham"))
        .expect("a district facet link");
    let narrowed = browser.page(&district).await;
    assert!(narrowed.contains(&format!("href=\"{GI_APRICOT}\"")));
    assert!(narrowed.contains("aria-current=\"true\" class=\"on\">Sham"));
    visited.push(search);

    let product = browser.page(GI_APRICOT).await;
    assert!(product.contains("<p class=\"gi\">GI: Raktsey Karpo Apricot</p>"));
    assert!(product.contains("<h2 id=\"prov\">Provenance</h2>"));
    assert!(product.contains("Harvested"));
    assert!(product.contains("MRP ₹400.00"));
    assert!(product.contains("Price includes GST."));
    assert!(product.contains("\"@type\":\"Product\""));
    let batch = attributes(&product, "href")
        .into_iter()
        .find(|h| h.starts_with("/verify/"))
        .expect("a batch to verify");
    let verify = browser.page(&batch).await;
    assert!(verify.contains("Chain intact"));
    visited.push(verify);
    let variants = variant_ids(&product);
    visited.push(product);
    let csrf = browser.csrf();
    for (variant, quantity) in [(&variants[0], "2"), (&variants[1], "1")] {
        let added = browser
            .post(
                "/cart/add",
                &[
                    ("csrf", &csrf),
                    ("variant", variant),
                    ("quantity", quantity),
                ],
            )
            .await;
        assert_eq!(added.status(), 303);
    }
    let cart = browser.page("/cart").await;
    assert!(cart.contains("₹915.00"), "2 × 360 + 195");
    visited.push(cart);

    let checkout = browser.page("/checkout").await;
    let idempotency = attributes(&checkout, "value")
        .into_iter()
        .find(|v| v.len() == 36)
        .unwrap();
    visited.push(checkout);
    let email = "khubani-buyer@example.org";
    let mut fields = vec![
        ("csrf", csrf.clone()),
        ("idempotency", idempotency),
        ("email", email.to_owned()),
        ("password", PASSWORD.to_owned()),
        ("name", "Asha Buyer".to_owned()),
        ("phone", "9876543210".to_owned()),
        ("line1", "12 Main Road".to_owned()),
        ("city", "Leh".to_owned()),
        ("pinCode", "110001".to_owned()),
        ("stateCode", "38".to_owned()),
        ("payment", "CASH_ON_DELIVERY".to_owned()),
        ("step", "review".to_owned()),
    ];
    let as_pairs = |fields: &Vec<(&'static str, String)>| {
        fields
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect::<Vec<_>>()
    };
    // A PIN outside the State: the API's error beside the field, the form kept.
    let pairs = as_pairs(&fields);
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let wrong = browser.post("/checkout", &refs).await;
    assert_eq!(wrong.status(), 422);
    let wrong = wrong.text().await?;
    assert!(
        wrong.contains("<p class=\"error\" id=\"e-pinCode\">"),
        "{wrong}"
    );
    assert!(wrong.contains("value=\"12 Main Road\""));
    assert!(wrong.contains("<option value=\"38\" selected>Ladakh</option>"));
    assert!(
        browser.cookies.contains_key("lm_access"),
        "signed up on the way"
    );

    for (key, value) in &mut fields {
        if *key == "pinCode" {
            *value = "194101".to_owned();
        }
    }
    let pairs = as_pairs(&fields);
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let quote = browser.post("/checkout", &refs).await;
    assert_eq!(quote.status(), 200);
    let quote = quote.text().await?;
    assert!(quote.contains("<th scope=\"row\">UTGST</th>"), "{quote}");
    assert!(quote.contains("value=\"place\""));
    visited.push(quote);

    for (key, value) in &mut fields {
        if *key == "step" {
            *value = "place".to_owned();
        }
    }
    let pairs = as_pairs(&fields);
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let placed = browser.post("/checkout", &refs).await;
    assert_eq!(placed.status(), 303);
    let order_path = location(&placed);
    assert!(order_path.starts_with("/orders/"));
    let order = browser.page(&order_path).await;
    assert!(order.contains("Cash on delivery"));
    assert!(
        order.contains("<th scope=\"row\">CGST</th><td class=\"n\">₹23.68</td>"),
        "{order}"
    );
    assert!(order.contains("<th scope=\"row\">UTGST</th><td class=\"n\">₹23.68</td>"));
    assert!(order.contains("<th scope=\"row\">Total</th><td class=\"n\">₹995.00</td>"));
    assert!(!order.contains("/invoices/"), "no invoice before shipping");
    let account = browser.page("/account").await;
    assert!(account.contains(&format!("href=\"{order_path}\"")));
    visited.push(order);
    visited.push(account);

    // The cooperative packs and ships through the API.
    let admin = flows::admin_token(&server).await;
    let coop = flows::cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let manager = flows::staff_token(&server, &admin, &coop, "MANAGER").await;
    let order_id = order_path.trim_start_matches("/orders/");
    let fulfilments = server
        .graphql_as(
            Some(&manager),
            "query($id: ID!) { order(id: $id) { fulfilments { id } } }",
            json!({ "id": order_id }),
        )
        .await;
    let fulfilment = fulfilments["data"]["order"]["fulfilments"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (mutation, input_type, input) in [
        (
            "fulfilmentPack",
            "FulfilmentInput",
            json!({ "fulfilmentId": fulfilment }),
        ),
        (
            "fulfilmentShip",
            "FulfilmentShipInput",
            json!({ "fulfilmentId": fulfilment, "carrier": "India Post", "trackingNumber": "EE123456789IN" }),
        ),
    ] {
        let body = server
            .graphql_as(
                Some(&manager),
                &format!("mutation($input: {input}!) {{ {mutation}(input: $input) {{ errors {{ message }} }} }}", input = input_type),
                json!({ "input": input }),
            )
            .await;
        assert!(flows::user_errors(&body, mutation).is_empty(), "{body}");
    }
    let shipped = browser.page(&order_path).await;
    assert!(shipped.contains("Shipped"));
    assert!(shipped.contains("EE123456789IN"));
    let invoice = attributes(&shipped, "href")
        .into_iter()
        .find(|h| h.starts_with("/invoices/"))
        .expect("an invoice link");
    let document = browser.get(&invoice).await;
    assert_eq!(document.status(), 200);
    let document = document.text().await?;
    assert!(document.contains("data-kind=\"TAX_INVOICE\""), "{document}");
    assert!(document.contains("<th data-sum=\"tax\" data-head=\"UTGST\">23.68</th>"));
    // Someone else's browser is not let in.
    let stranger = reqwest::Client::new()
        .get(server.url(&invoice))
        .send()
        .await?;
    assert_eq!(stranger.status(), 401);

    // The cooperative cancels the invoice (a typo, before the month's return): the
    // buyer's browser opens the cancelled document with its session cookie too.
    let cancelled = server
        .graphql_as(
            Some(&manager),
            "mutation($i: InvoiceCancelInput!) { invoiceCancel(input: $i) { cancelledInvoice { url } errors { message } } }",
            json!({ "i": { "fulfilmentId": fulfilment, "reason": "buyer's name misspelt" } }),
        )
        .await;
    assert!(
        flows::user_errors(&cancelled, "invoiceCancel").is_empty(),
        "{cancelled}"
    );
    let cancelled_url = cancelled["data"]["invoiceCancel"]["cancelledInvoice"]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        cancelled_url.starts_with("/cancelled-invoices/"),
        "{cancelled_url}"
    );
    let document = browser.get(&cancelled_url).await;
    assert_eq!(document.status(), 200);
    let document = document.text().await?;
    assert!(
        document.contains("<strong>CANCELLED</strong>"),
        "{document}"
    );
    let stranger = reqwest::Client::new()
        .get(server.url(&cancelled_url))
        .send()
        .await?;
    assert_eq!(stranger.status(), 401);

    visited.push(browser.page("/").await);
    visited.push(
        browser
            .page("/cooperatives/sham-apricot-growers-demo")
            .await,
    );
    for page in &visited {
        assert_eq!(foreign_urls(page), Vec::<String>::new());
    }

    // Signing out ends the session and drops the cookies.
    let out = browser.post("/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!(out.status(), 303);
    assert!(!browser.cookies.contains_key("lm_access"));
    let again = browser.get("/account").await;
    assert_eq!(again.status(), 303);
    assert!(location(&again).starts_with("/sign-in"));
    Ok(())
}

/// An expired access token is renewed through the refresh token: the page still shows
/// the buyer's account, and new cookies replace the old.
async fn the_session_outlives_its_access_token(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(
        backend,
        ServerOptions::seeded()
            .arg("--access-token-ttl-secs")
            .arg("30"),
    )
    .await?;
    let email = "refresh@example.org";
    flows::buyer_token(&server, email).await;
    let mut browser = Browser::new(&server);
    browser.page("/sign-in").await;
    let csrf = browser.csrf();
    let signed_in = browser
        .post(
            "/sign-in",
            &[("csrf", &csrf), ("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(signed_in.status(), 303);
    let access = browser.cookies["lm_access"].clone();
    let refresh = browser.cookies["lm_refresh"].clone();
    // 30 s of lifetime and the 5 s of leeway the API allows for clock skew.
    clock_passes(chrono::Utc::now() + chrono::Duration::seconds(36)).await;
    let account = browser.page("/account").await;
    assert!(account.contains(email));
    assert_ne!(browser.cookies["lm_access"], access);
    assert_ne!(browser.cookies["lm_refresh"], refresh);
    Ok(())
}

/// With Stripe configured and a publishable key, the checkout offers card and UPI and
/// placing such an order leads to the payment step: Stripe's Payment Element's mount
/// point, Stripe.js from js.stripe.com and the PaymentIntent's client secret, under a
/// policy that lets Stripe in on that page only. No other page names Stripe's origins
/// or holds the secret.
async fn the_card_payment_step_mounts_stripes_payment_element(
    backend: Backend,
) -> anyhow::Result<()> {
    let fake = crate::support::stripe_fake::FakeStripe::start().await?;
    let publishable = "pk_test_ladakh_market_fake";
    let server = TestServer::spawn(
        backend,
        crate::orders::stripe_options(&fake).env("STRIPE_PUBLISHABLE_KEY", publishable),
    )
    .await?;
    let mut browser = Browser::new(&server);
    let product = browser.page(GI_APRICOT).await;
    let variant = variant_ids(&product).remove(0);
    let csrf = browser.csrf();
    let added = browser
        .post(
            "/cart/add",
            &[("csrf", &csrf), ("variant", &variant), ("quantity", "1")],
        )
        .await;
    assert_eq!(added.status(), 303);
    let checkout = browser.get("/checkout").await;
    let policy = checkout.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()?
        .to_owned();
    let checkout = checkout.text().await?;
    assert!(
        checkout
            .contains("<input type=\"radio\" id=\"pay-card\" name=\"payment\" value=\"STRIPE\">"),
        "{checkout}"
    );
    let idempotency = attributes(&checkout, "value")
        .into_iter()
        .find(|v| v.len() == 36)
        .unwrap();
    let placed = browser
        .post(
            "/checkout",
            &[
                ("csrf", &csrf),
                ("idempotency", &idempotency),
                ("email", "card-guest@example.org"),
                ("name", "Asha Buyer"),
                ("phone", "9876543210"),
                ("line1", "12 Main Road"),
                ("city", "Leh"),
                ("pinCode", "194101"),
                ("stateCode", "38"),
                ("payment", "STRIPE"),
                ("step", "place"),
            ],
        )
        .await;
    assert_eq!(placed.status(), 303, "{}", placed.text().await?);
    let pay_path = location(&placed);
    assert!(
        pay_path.starts_with("/orders/") && pay_path.ends_with("/pay"),
        "{pay_path}"
    );
    let order_path = pay_path.trim_end_matches("/pay").to_owned();
    // The client secret as the API gives it to the guest (their token in the cookie).
    let (order_id, token) = browser.cookies["lm_order"]
        .split_once('.')
        .map(|(o, t)| (o.to_owned(), t.to_owned()))
        .unwrap();
    assert_eq!(format!("/orders/{order_id}"), order_path);
    let order = server
        .graphql(
            "query($id: ID!, $token: String) { order(id: $id, accessToken: $token) { paymentMethod stripeClientSecret } }",
            json!({ "id": order_id, "token": token }),
        )
        .await;
    assert_eq!(order["data"]["order"]["paymentMethod"], "STRIPE", "{order}");
    let secret = order["data"]["order"]["stripeClientSecret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(secret.contains("_secret_"), "{secret}");

    let pay = browser.get(&pay_path).await;
    assert_eq!(pay.status(), 200);
    let pay_policy = pay.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()?
        .to_owned();
    assert!(
        pay_policy.contains("script-src 'self' https://js.stripe.com;"),
        "{pay_policy}"
    );
    assert!(
        pay_policy.contains("frame-src https://js.stripe.com https://hooks.stripe.com;"),
        "{pay_policy}"
    );
    assert!(
        pay_policy.contains("connect-src 'self' https://api.stripe.com;"),
        "{pay_policy}"
    );
    assert!(
        pay.headers()[header::CACHE_CONTROL]
            .to_str()?
            .contains("no-store")
    );
    let pay = pay.text().await?;
    assert!(pay.contains("<div id=\"payment-element\"></div>"), "{pay}");
    assert!(pay.contains("<script src=\"https://js.stripe.com/v3/\" defer></script>"));
    assert!(pay.contains(&format!("data-client-secret=\"{secret}\"")));
    assert!(pay.contains(&format!("data-stripe-key=\"{publishable}\"")));
    assert!(pay.contains(&format!("data-return=\"{}{order_path}\"", server.base_url)));
    // Stripe.js is the one script from another origin, and only here.
    let foreign = foreign_urls(&pay);
    assert_eq!(foreign, vec!["https://js.stripe.com/v3/".to_owned()]);

    // Every other page: the site's own policy, no Stripe, no secret.
    let order_page = browser.get(&order_path).await;
    let mut others = vec![(
        order_path.clone(),
        order_page.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()?
            .to_owned(),
        order_page.text().await?,
    )];
    assert!(
        others[0].2.contains(&format!("href=\"{pay_path}\"")),
        "the order page links to the payment step"
    );
    others.push(("/checkout".to_owned(), policy, checkout));
    for path in ["/", GI_APRICOT, "/cart", "/search?q=khubani"] {
        let response = browser.get(path).await;
        let policy = response.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()?
            .to_owned();
        others.push((path.to_owned(), policy, response.text().await?));
    }
    for (path, policy, html) in &others {
        assert!(!policy.contains("stripe"), "{path}: {policy}");
        assert!(!html.contains("stripe.com"), "{path}");
        assert!(!html.contains(&secret), "{path} holds the client secret");
        assert_eq!(foreign_urls(html), Vec::<String>::new(), "{path}");
    }

    // Paid (Stripe's webhook recorded it): the payment step sends back to the order.
    let intent = secret.split("_secret_").next().unwrap().to_owned();
    let amount = fake.intent(&intent).unwrap()["amount"].as_i64().unwrap();
    fake.set_intent(&intent, "succeeded", amount);
    let paid = crate::support::stripe_fake::intent_event(
        "evt_storefront_paid",
        "payment_intent.succeeded",
        &fake.intent(&intent).unwrap(),
    );
    let status = crate::orders::post_webhook(
        &server,
        Some(crate::support::stripe_fake::signature(
            crate::support::stripe_fake::WEBHOOK_SECRET,
            chrono::Utc::now().timestamp(),
            &paid,
        )),
        &paid,
    )
    .await;
    assert_eq!(status, 200);
    server.drain_all().await;
    let after = browser.get(&pay_path).await;
    assert_eq!(after.status(), 303);
    assert_eq!(location(&after), order_path);
    fake.stop().await;
    Ok(())
}

/// Without a publishable key the checkout offers no card payment, and a forged
/// `payment=STRIPE` is placed as cash on delivery.
async fn no_card_payment_without_a_publishable_key(backend: Backend) -> anyhow::Result<()> {
    let fake = crate::support::stripe_fake::FakeStripe::start().await?;
    let server = TestServer::spawn(backend, crate::orders::stripe_options(&fake)).await?;
    let mut browser = Browser::new(&server);
    let product = browser.page(GI_APRICOT).await;
    let variant = variant_ids(&product).remove(0);
    let csrf = browser.csrf();
    browser
        .post(
            "/cart/add",
            &[("csrf", &csrf), ("variant", &variant), ("quantity", "1")],
        )
        .await;
    let checkout = browser.page("/checkout").await;
    assert!(checkout.contains("value=\"CASH_ON_DELIVERY\""));
    assert!(!checkout.contains("value=\"STRIPE\""), "{checkout}");
    let placed = browser
        .post(
            "/checkout",
            &[
                ("csrf", &csrf),
                ("email", "forged-card@example.org"),
                ("name", "Asha Buyer"),
                ("phone", "9876543210"),
                ("line1", "12 Main Road"),
                ("city", "Leh"),
                ("pinCode", "194101"),
                ("stateCode", "38"),
                ("payment", "STRIPE"),
                ("step", "place"),
            ],
        )
        .await;
    assert_eq!(placed.status(), 303);
    let order_path = location(&placed);
    assert!(!order_path.ends_with("/pay"), "{order_path}");
    let order = browser.page(&order_path).await;
    assert!(order.contains("Cash on delivery"), "{order}");
    assert!(!order.contains("/pay\""));
    fake.stop().await;
    Ok(())
}

both_backends!(
    the_card_payment_step_mounts_stripes_payment_element,
    no_card_payment_without_a_publishable_key,
    pages_carry_their_metadata_and_cookie_flags,
    posts_without_a_valid_csrf_token_or_origin_are_refused,
    sign_in_goes_only_to_local_paths,
    hostile_text_is_escaped_everywhere,
    not_found_and_internal_error_pages,
    assets_are_hashed_immutable_and_compressed,
    a_buyer_purchases_without_javascript,
    the_session_outlives_its_access_token,
);
