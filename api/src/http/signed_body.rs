//! The body of a signed callback (Stripe's, a channel's), read only after its signature
//! header has been found well-formed and within bounds
//! ([`kernel::webhook_signature::SignatureHeader::parse`]): a flood of signatures or an
//! oversized header is a 400 before a megabyte of body is read, let alone hashed. The
//! signature itself is checked by the service that knows the secret. A missing header
//! is the service's to answer (it may not be configured at all).

use std::marker::PhantomData;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use futures_util::future::LocalBoxFuture;
use kernel::webhook_signature::SignatureHeader;

use crate::http::error::HttpError;

/// Which header carries the signature.
pub(crate) trait SignatureName {
    const HEADER: &'static str;
}

/// `Stripe-Signature`.
pub(crate) struct StripeSignature;

impl SignatureName for StripeSignature {
    const HEADER: &'static str = "Stripe-Signature";
}

/// `X-Channel-Signature`.
pub(crate) struct ChannelSignature;

impl SignatureName for ChannelSignature {
    const HEADER: &'static str = "X-Channel-Signature";
}

/// A signed request's signature header (when present) and its raw body.
pub(crate) struct SignedBody<H> {
    pub signature: Option<String>,
    pub body: web::Bytes,
    header: PhantomData<H>,
}

impl<H: SignatureName + 'static> FromRequest for SignedBody<H> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let signature = match request.headers().get(H::HEADER).map(|v| v.to_str()) {
            None => None,
            Some(Ok(value)) => match SignatureHeader::parse(value) {
                Ok(_) => Some(value.to_owned()),
                Err(message) => return refuse(message),
            },
            Some(Err(_)) => return refuse(format!("{} is not text", H::HEADER)),
        };
        let body = web::Bytes::from_request(request, payload);
        Box::pin(async move {
            Ok(Self {
                signature,
                body: body.await?,
                header: PhantomData,
            })
        })
    }
}

fn refuse<T: 'static>(message: String) -> LocalBoxFuture<'static, Result<T, actix_web::Error>> {
    tracing::warn!(message, "signed callback refused before its body was read");
    let error = HttpError::bad_request("BAD_SIGNATURE", message);
    Box::pin(async move { Err(error.into()) })
}
