//! Who is calling a REST route, as an extractor: `Authorization: Bearer <access token>`
//! verified with the server's token service. A route takes `SignedIn` when it needs a
//! caller, or `MaybeSignedIn` when anonymous callers are welcome; either way a header
//! that is present but not valid refuses the request (401) instead of silently running
//! it anonymously. A valid token counts only while its session is live: each request
//! checks the session and reads the user's standing as it is now (`TokenService::
//! live_viewer`, cached for two seconds at most), so a logout, a role change, a removal,
//! a suspension or a deletion applies at the next request.

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use futures_util::future::LocalBoxFuture;

use crate::{
    auth::{TokenError, Viewer},
    http::error::HttpError,
    http::state::AppState,
};

/// The caller, if any.
#[derive(Debug, Clone)]
pub(crate) struct MaybeSignedIn(pub Option<Viewer>);

/// A caller who must be signed in.
#[derive(Debug, Clone)]
pub(crate) struct SignedIn(pub Viewer);

async fn viewer_of(request: HttpRequest) -> Result<Option<Viewer>, HttpError> {
    let Some(value) = request.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let Some(token) = value.to_str().ok().and_then(|v| {
        v.strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))
    }) else {
        return Err(HttpError::unauthenticated(
            "Authorization header must be `Bearer <access token>`",
        ));
    };
    let Some(state) = request.app_data::<web::Data<AppState>>() else {
        tracing::error!("the application state is not registered");
        return Err(HttpError::from(crate::graphql::ApiError::Internal));
    };
    let state = state.clone();
    viewer_from_token(&state, token)
        .await
        .map_err(|refusal| match refusal.code {
            "UNAUTHENTICATED" => HttpError::unauthenticated(refusal.message),
            _ => HttpError::from(crate::graphql::ApiError::Internal),
        })
}

/// Why an access token gives no viewer.
#[derive(Debug)]
pub(crate) struct Refusal {
    pub message: String,
    pub code: &'static str,
}

impl Refusal {
    fn unauthenticated(message: &str) -> Self {
        Self {
            message: message.to_owned(),
            code: "UNAUTHENTICATED",
        }
    }
}

/// The viewer of an access token: valid, and its session live. Shared by bearer
/// headers and the storefront's session cookies.
pub(crate) async fn viewer_from_token(
    state: &AppState,
    token: &str,
) -> Result<Option<Viewer>, Refusal> {
    let claimed = match state.tokens.verify(token.trim()) {
        Ok(viewer) => viewer,
        Err(TokenError::Expired) => {
            return Err(Refusal::unauthenticated("access token has expired"));
        }
        Err(TokenError::Invalid | TokenError::Signing) => {
            return Err(Refusal::unauthenticated("access token is not valid"));
        }
    };
    match state.tokens.live_viewer(&state.db, &claimed).await {
        Ok(Some(viewer)) => Ok(Some(viewer)),
        Ok(None) => Err(Refusal::unauthenticated(
            "the session has ended; sign in again",
        )),
        Err(error) => {
            tracing::error!(%error, "checking a session");
            Err(Refusal {
                message: "internal error".to_owned(),
                code: "INTERNAL",
            })
        }
    }
}

impl FromRequest for MaybeSignedIn {
    type Error = HttpError;
    type Future = LocalBoxFuture<'static, Result<Self, HttpError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move { viewer_of(request).await.map(Self) })
    }
}

impl FromRequest for SignedIn {
    type Error = HttpError;
    type Future = LocalBoxFuture<'static, Result<Self, HttpError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            viewer_of(request).await.and_then(|viewer| {
                viewer
                    .map(Self)
                    .ok_or_else(|| HttpError::unauthenticated("sign in first"))
            })
        })
    }
}

/// A reader of a tax document: `Authorization: Bearer …` as everywhere, or, without that
/// header, the storefront's session cookie, so that a buyer's browser can open the
/// invoice link on their order page. Only these GET routes take the cookie: a
/// cookie never authorises `/graphql` (which would need CSRF defences of its own).
#[derive(Debug, Clone)]
pub(crate) struct DocumentReader(pub Viewer);

impl FromRequest for DocumentReader {
    type Error = HttpError;
    type Future = LocalBoxFuture<'static, Result<Self, HttpError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            if request.headers().contains_key(header::AUTHORIZATION) {
                return viewer_of(request).await.and_then(|viewer| {
                    viewer
                        .map(Self)
                        .ok_or_else(|| HttpError::unauthenticated("sign in first"))
                });
            }
            let Some(token) = request
                .cookie(::web::ACCESS_COOKIE)
                .map(|cookie| cookie.value().to_owned())
            else {
                return Err(HttpError::unauthenticated("sign in first"));
            };
            let Some(state) = request.app_data::<web::Data<AppState>>() else {
                tracing::error!("the application state is not registered");
                return Err(HttpError::from(crate::graphql::ApiError::Internal));
            };
            let state = state.clone();
            match viewer_from_token(&state, &token).await {
                Ok(Some(viewer)) => Ok(Self(viewer)),
                Ok(None) => Err(HttpError::unauthenticated("sign in first")),
                Err(refusal) if refusal.code == "UNAUTHENTICATED" => {
                    Err(HttpError::unauthenticated(refusal.message))
                }
                Err(_) => Err(HttpError::from(crate::graphql::ApiError::Internal)),
            }
        })
    }
}
