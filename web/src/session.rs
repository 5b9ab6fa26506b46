//! The browser's session: access and refresh tokens, the anonymous cart's token, the
//! CSRF token and the language, each in its own cookie. Every cookie is `HttpOnly` and
//! `SameSite=Lax`, and `Secure` unless the page was asked for on localhost (where
//! development runs over plain HTTP).
//!
//! CSRF: every POST form carries the token of the `csrf` cookie in a hidden field (a
//! double submit, compared in constant time), and every POST must come from a page of
//! this origin (`Origin`, or `Referer` when a browser sends no `Origin`).

use actix_web::{
    HttpRequest, HttpResponse,
    cookie::{Cookie, SameSite, time::Duration},
    http::header,
};
use rand::Rng;

use crate::i18n::Lang;

pub const ACCESS: &str = "lm_access";
pub(crate) const REFRESH: &str = "lm_refresh";
pub(crate) const CART: &str = "lm_cart";
pub(crate) const CSRF: &str = "lm_csrf";
pub(crate) const LANG: &str = "lm_lang";
/// A guest's last order and the token that opens it (`<order id>.<token>`).
pub(crate) const GUEST_ORDER: &str = "lm_order";

/// How long the session cookies live: the refresh token's own lifetime is checked by
/// the API, the cookie only has to outlast it.
const SESSION_DAYS: i64 = 30;
const YEAR_DAYS: i64 = 365;

/// The signed-in session's tokens; `changed` once a refresh or a sign-in replaced them.
#[derive(Debug, Default, Clone)]
pub(crate) struct Tokens {
    pub access: Option<String>,
    pub refresh: Option<String>,
    pub changed: bool,
}

impl Tokens {
    pub fn set(&mut self, access: String, refresh: String) {
        self.access = Some(access);
        self.refresh = Some(refresh);
        self.changed = true;
    }

    pub fn clear(&mut self) {
        self.access = None;
        self.refresh = None;
        self.changed = true;
    }

    pub fn signed_in(&self) -> bool {
        self.access.is_some() || self.refresh.is_some()
    }
}

/// What a page request carries, and the cookies its response must set.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub tokens: Tokens,
    pub cart: Option<String>,
    cart_changed: bool,
    pub guest_order: Option<String>,
    guest_order_changed: bool,
    pub csrf: String,
    csrf_new: bool,
    pub lang: Lang,
    lang_changed: bool,
    secure: bool,
}

fn cookie_value(request: &HttpRequest, name: &str) -> Option<String> {
    request
        .cookie(name)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 4096)
}

/// Localhost is served over plain HTTP in development; anywhere else the cookies
/// travel only over HTTPS.
pub(crate) fn is_local_host(request: &HttpRequest) -> bool {
    let info = request.connection_info();
    let host = info.host();
    let name = host
        .rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(host, |(name, _)| name);
    matches!(name, "localhost" | "127.0.0.1" | "[::1]")
}

fn new_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    hex::encode(bytes)
}

impl Session {
    pub fn of(request: &HttpRequest) -> Self {
        let (csrf, csrf_new) = match cookie_value(request, CSRF).filter(|v| v.len() == 64) {
            Some(token) => (token, false),
            None => (new_token(), true),
        };
        Self {
            tokens: Tokens {
                access: cookie_value(request, ACCESS),
                refresh: cookie_value(request, REFRESH),
                changed: false,
            },
            cart: cookie_value(request, CART),
            cart_changed: false,
            guest_order: cookie_value(request, GUEST_ORDER),
            guest_order_changed: false,
            csrf,
            csrf_new,
            lang: cookie_value(request, LANG)
                .and_then(|v| Lang::from_code(&v))
                .unwrap_or_else(|| Lang::from_accept_language(request)),
            lang_changed: false,
            secure: !is_local_host(request),
        }
    }

    pub fn set_cart(&mut self, token: Option<String>) {
        if self.cart != token {
            self.cart = token;
            self.cart_changed = true;
        }
    }

    pub fn set_guest_order(&mut self, value: Option<String>) {
        self.guest_order = value;
        self.guest_order_changed = true;
    }

    pub fn set_lang(&mut self, lang: Lang) {
        self.lang = lang;
        self.lang_changed = true;
    }

    fn cookie(&self, name: &'static str, value: String, days: i64) -> Cookie<'static> {
        Cookie::build(name, value)
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .max_age(Duration::days(days))
            .finish()
    }

    fn removal(&self, name: &'static str) -> Cookie<'static> {
        let mut cookie = self.cookie(name, String::new(), 0);
        cookie.make_removal();
        cookie
    }

    /// Adds the cookies this request changed to its response.
    pub fn apply(&self, response: &mut HttpResponse) {
        let mut cookies = Vec::new();
        if self.tokens.changed {
            match (&self.tokens.access, &self.tokens.refresh) {
                (Some(access), Some(refresh)) => {
                    cookies.push(self.cookie(ACCESS, access.clone(), SESSION_DAYS));
                    cookies.push(self.cookie(REFRESH, refresh.clone(), SESSION_DAYS));
                }
                _ => {
                    cookies.push(self.removal(ACCESS));
                    cookies.push(self.removal(REFRESH));
                }
            }
        }
        if self.cart_changed {
            cookies.push(match &self.cart {
                Some(cart) => self.cookie(CART, cart.clone(), SESSION_DAYS),
                None => self.removal(CART),
            });
        }
        if self.guest_order_changed {
            cookies.push(match &self.guest_order {
                Some(value) => self.cookie(GUEST_ORDER, value.clone(), SESSION_DAYS),
                None => self.removal(GUEST_ORDER),
            });
        }
        if self.csrf_new {
            cookies.push(self.cookie(CSRF, self.csrf.clone(), YEAR_DAYS));
        }
        if self.lang_changed {
            cookies.push(self.cookie(LANG, self.lang.code().to_owned(), YEAR_DAYS));
        }
        for cookie in cookies {
            if let Err(error) = response.add_cookie(&cookie) {
                tracing::warn!(%error, "a session cookie could not be set");
            }
        }
    }
}

/// Compares two strings in time that depends only on their lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// This server's origin as the browser names it.
fn own_origin(request: &HttpRequest) -> String {
    let info = request.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

/// Whether a POST came from one of our own pages: its `Origin` (or, without one, its
/// `Referer`) is this server's origin.
fn same_origin(request: &HttpRequest) -> bool {
    let origin = own_origin(request);
    let header_value = |name| {
        request
            .headers()
            .get(name)
            .and_then(|v: &header::HeaderValue| v.to_str().ok())
    };
    match header_value(header::ORIGIN) {
        Some(sent) => sent == origin,
        None => header_value(header::REFERER).is_some_and(|referer| {
            referer
                .strip_prefix(origin.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        }),
    }
}

/// The CSRF check of every POST: same origin, and the form's token equal to the
/// cookie's (a fresh cookie made for this very request does not count).
pub(crate) fn csrf_ok(request: &HttpRequest, session: &Session, form_token: &str) -> bool {
    same_origin(request)
        && !session.csrf_new
        && constant_time_eq(session.csrf.as_bytes(), form_token.as_bytes())
}

/// The CSRF check of a form posted to a route outside the storefront (the API's
/// `POST /media`): same origin, and `token` equal to the browser's CSRF cookie.
pub fn csrf_token_ok(request: &HttpRequest, token: &str) -> bool {
    let Some(cookie) = request.cookie(CSRF) else {
        return false;
    };
    cookie.value().len() == 64
        && same_origin(request)
        && constant_time_eq(cookie.value().as_bytes(), token.as_bytes())
}

/// A path this site may send a browser to after signing in: local, absolute, and not
/// a scheme-relative `//host` or `/\host` in disguise.
pub(crate) fn local_path(next: &str) -> Option<&str> {
    let mut chars = next.chars();
    let local = chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !next.chars().any(|c| c.is_control() || c == '\\');
    local.then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_redirect_targets() {
        assert_eq!(local_path("/account"), Some("/account"));
        assert_eq!(local_path("/search?q=khubani"), Some("/search?q=khubani"));
        for bad in [
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "evil",
            "",
            "/\tx",
            "/a\\b",
        ] {
            assert_eq!(local_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
