//! Running GraphQL documents for a page: the caller's access token and address travel
//! with each request as a [`Caller`], the host application turns them into a viewer and
//! a rate-limit key. An expired or refused access token is renewed once through the
//! `refreshToken` mutation, the new tokens going back to the browser as cookies.

use std::{future::Future, net::SocketAddr, pin::Pin};

use actix_web::http::header::HeaderMap;
use async_graphql::{Request, Response, Variables};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::session::Tokens;

/// Who runs a document: attached to every request the storefront executes.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The access token from the session cookie, if any.
    pub access_token: Option<String>,
    /// The page request's id, for the logs.
    pub request_id: String,
    /// The client's address and headers, for the per-client rate limits.
    pub peer: Option<SocketAddr>,
    pub headers: HeaderMap,
}

/// An object-safe view of an executor.
pub(crate) trait Run: Send + Sync {
    fn run(&self, request: Request) -> Pin<Box<dyn Future<Output = Response> + Send + '_>>;
}

pub(crate) struct Erased<E>(pub E);

impl<E: async_graphql::Executor> Run for Erased<E> {
    fn run(&self, request: Request) -> Pin<Box<dyn Future<Output = Response> + Send + '_>> {
        Box::pin(self.0.execute(request))
    }
}

/// Why a document gave no usable data.
#[derive(Debug)]
pub(crate) enum GqlError {
    NotFound,
    Unauthenticated,
    Forbidden,
    RateLimited,
    /// The request clashes with the record's state (a refund of an unpaid order): the
    /// API's message is worth showing to the person who asked.
    Conflict(String),
    /// Anything else: a bug or an outage, shown as the 500 page.
    Internal(String),
}

fn code_of(error: &async_graphql::ServerError) -> Option<String> {
    let extensions = serde_json::to_value(&error.extensions).ok()?;
    extensions
        .get("code")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// One page's GraphQL client.
pub(crate) struct Client<'a> {
    pub executor: &'a crate::Executor,
    pub caller: Caller,
    pub tokens: &'a mut Tokens,
}

/// A file a document sends in an `Upload` variable, placed where the GraphQL multipart
/// request spec's `map` would place it (`variables.input.file`).
#[derive(Debug, Clone)]
pub(crate) struct FileUpload {
    pub var_path: String,
    pub filename: String,
    pub content_type: Option<String>,
    pub content: actix_web::web::Bytes,
}

const REFRESH: &str = "mutation Refresh($token: String!) { refreshToken(input: {refreshToken: $token}) { accessToken refreshToken errors { code } } }";

impl Client<'_> {
    async fn once(&self, document: &str, variables: &Value) -> Response {
        self.once_with(document, variables, None).await
    }

    async fn once_with(
        &self,
        document: &str,
        variables: &Value,
        upload: Option<&FileUpload>,
    ) -> Response {
        let mut caller = self.caller.clone();
        caller.access_token = self.tokens.access.clone();
        let mut request = Request::new(document)
            .variables(Variables::from_json(variables.clone()))
            .data(caller);
        if let Some(upload) = upload {
            request.set_upload(
                &upload.var_path,
                async_graphql::UploadValue {
                    filename: upload.filename.clone(),
                    content_type: upload.content_type.clone(),
                    // Cheap: the bytes are shared, not copied.
                    content: upload.content.clone(),
                },
            );
        }
        self.executor.0.run(request).await
    }

    /// Renews the session with the refresh token; false when there is none or it is
    /// refused, in which case the session is ended.
    async fn refresh(&mut self) -> bool {
        let Some(refresh) = self.tokens.refresh.clone() else {
            return false;
        };
        self.tokens.access = None;
        let response = self.once(REFRESH, &json!({ "token": refresh })).await;
        let data = response.data.into_json().unwrap_or(Value::Null);
        let payload = data.get("refreshToken");
        let access = payload
            .and_then(|p| p.get("accessToken"))
            .and_then(Value::as_str);
        let new_refresh = payload
            .and_then(|p| p.get("refreshToken"))
            .and_then(Value::as_str);
        match (access, new_refresh) {
            (Some(access), Some(new_refresh)) => {
                self.tokens.set(access.to_owned(), new_refresh.to_owned());
                true
            }
            _ => {
                self.tokens.clear();
                false
            }
        }
    }

    /// Runs a document and reads its data as `T`; a session whose access token expired
    /// is renewed once and the document run again. `renew: false` for the documents whose UNAUTHENTICATED
    /// answer is the point (signing in with a wrong password).
    /// `upload`, when given, is the file of one of the document's `Upload` variables.
    pub async fn run_upload<T: DeserializeOwned>(
        &mut self,
        document: &str,
        variables: Value,
        renew: bool,
        upload: Option<&FileUpload>,
    ) -> Result<T, GqlError> {
        let mut response = self.once_with(document, &variables, upload).await;
        let unauthenticated = |r: &Response| {
            r.errors
                .iter()
                .any(|e| code_of(e).as_deref() == Some("UNAUTHENTICATED"))
        };
        if renew && unauthenticated(&response) && self.tokens.refresh.is_some() {
            // Renewed, or the session is gone and the document runs for a visitor.
            self.refresh().await;
            response = self.once_with(document, &variables, upload).await;
        }
        if let Some(error) = response.errors.first() {
            return Err(match code_of(error).as_deref() {
                Some("NOT_FOUND") => GqlError::NotFound,
                Some("UNAUTHENTICATED") => GqlError::Unauthenticated,
                Some("FORBIDDEN") => GqlError::Forbidden,
                Some("RATE_LIMITED") => GqlError::RateLimited,
                Some("CONFLICT") => GqlError::Conflict(error.message.clone()),
                _ => GqlError::Internal(error.message.clone()),
            });
        }
        let data = response
            .data
            .into_json()
            .map_err(|e| GqlError::Internal(e.to_string()))?;
        serde_json::from_value(data).map_err(|e| GqlError::Internal(e.to_string()))
    }
}
