//! A deadline on reading a request's body, as actix's `client_request_timeout` is on
//! its headers.
//!
//! Without one, a client that sends headers and then a byte of body now and then holds
//! a connection and a handler (`/graphql`, the webhooks) for as long as it likes: a
//! few hundred such clients are a slowloris. The body of every request that has one is
//! wrapped in a stream that fails once the deadline (counted from when the headers were
//! read) has passed, and the answer is then a 408 that closes the connection, whatever
//! the handler made of the failed read.

use std::{
    future::Future,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};

use actix_web::{
    Error, HttpMessage, ResponseError,
    body::{EitherBody, MessageBody},
    dev::{Payload, ServiceRequest, ServiceResponse},
    error::PayloadError,
    http::{ConnectionType, StatusCode, header},
    middleware::Next,
    web::{self, Bytes},
};
use futures_util::Stream;
use tokio::time::Sleep;

use crate::http::error::HttpError;

/// How long a request may take to send its body.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyDeadline(pub Duration);

/// A request body that ends in an error once its deadline has passed.
struct Deadline {
    inner: Payload,
    deadline: Pin<Box<Sleep>>,
    expired: Arc<AtomicBool>,
    finished: bool,
}

impl Deadline {
    fn expire(&mut self) -> Poll<Option<Result<Bytes, PayloadError>>> {
        self.finished = true;
        self.expired.store(true, Ordering::Relaxed);
        Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "the request body was not received in time",
        )))))
    }
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.finished {
            return Poll::Ready(None);
        }
        // Checked before every chunk too: a trickle of bytes is not progress enough.
        if this.deadline.is_elapsed() {
            return this.expire();
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(None) => {
                this.finished = true;
                Poll::Ready(None)
            }
            Poll::Ready(Some(chunk)) => Poll::Ready(Some(chunk)),
            Poll::Pending => match this.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => this.expire(),
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

fn has_body(request: &ServiceRequest) -> bool {
    let headers = request.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|length| length.trim() != "0")
}

/// The middleware: wraps the body of a request that has one, and turns whatever the
/// handler answered after the deadline passed into a 408.
pub(crate) async fn limit_body_time(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let limit = request
        .app_data::<web::Data<BodyDeadline>>()
        .map(|deadline| deadline.0);
    let Some(limit) = limit.filter(|_| has_body(&request)) else {
        return next
            .call(request)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let expired = Arc::new(AtomicBool::new(false));
    let body = Deadline {
        inner: request.take_payload(),
        deadline: Box::pin(tokio::time::sleep(limit)),
        expired: expired.clone(),
        finished: false,
    };
    request.set_payload(Payload::Stream {
        payload: Box::pin(body),
    });
    let timeout = || {
        HttpError::new(
            StatusCode::REQUEST_TIMEOUT,
            "REQUEST_TIMEOUT",
            format!(
                "the request body was not received within {} ms",
                limit.as_millis()
            ),
        )
    };
    match next.call(request).await {
        Ok(response) if expired.load(Ordering::Relaxed) => {
            let (request, _) = response.into_parts();
            let mut answer = timeout().error_response();
            // The rest of the body may still be on its way: do not read it as a request.
            answer.head_mut().set_connection_type(ConnectionType::Close);
            Ok(ServiceResponse::new(request, answer).map_into_right_body())
        }
        Ok(response) => Ok(response.map_into_left_body()),
        Err(_) if expired.load(Ordering::Relaxed) => Err(timeout().into()),
        Err(error) => Err(error),
    }
}
