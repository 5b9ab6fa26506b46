//! Razorpay as a [`PaymentGateway`]: UPI (intent, QR, collect), cards, netbanking and
//! wallets through Razorpay Checkout, over a small typed client on reqwest (Razorpay
//! publishes no well-kept Rust SDK). Only client calls, signature checks and the
//! mapping of Razorpay's vocabulary; what events mean for an order is decided in the
//! payment use cases.
//!
//! The payment reference stored on an order is the Razorpay *order* id (`order_…`):
//! Checkout pays it, every payment attempt belongs to it, and at most one of them can
//! succeed. The payment (`pay_…`) is found through the order when it is needed
//! (capture, refunds).
//!
//! Retries follow Razorpay's "Retries and Idempotency" guide
//! (razorpay.com/docs/payments/payment-gateway/s2s-integration/test-s2s/best-practices/retries-and-idempotency):
//! an order is created again only after looking it up by its receipt (our order
//! number) — `GET /v1/orders?receipt=` — so a retried create finds the first; refunds
//! carry `X-Refund-Idempotency` (razorpay.com/docs/api/refunds/normal-refunds-idempotent:
//! the same key and body never refund twice, a 409 means "still processing, retry");
//! reads are retried freely. A capture is never repeated blind: its outcome is read
//! back from the payment instead.

use std::time::Duration;

use hmac::{Hmac, Mac};
use serde::{Deserialize, de::DeserializeOwned};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    PaymentProvider,
    payments::gateway::{
        GatewayFuture, PaymentEvent, PaymentGateway, PaymentRef, PaymentRequest, PaymentState,
        ProviderFailure, ProviderPayment, ProviderRefund, ProviderTransfer, TransferGateway,
        TransferRequest, WebhookError, WebhookEvent,
    },
};

/// Razorpay's API, when `RAZORPAY_API_BASE` is not set.
pub const DEFAULT_API_BASE: &str = "https://api.razorpay.com/";

/// How many times a call Razorpay documents as safe to repeat is made in all.
const SAFE_ATTEMPTS: usize = 2;

/// How to reach Razorpay.
#[derive(Clone)]
pub struct RazorpaySettings {
    /// `rzp_live_…` / `rzp_test_…`: public, handed to the buyer's Checkout.
    pub key_id: String,
    pub key_secret: String,
    pub webhook_secret: String,
    /// `RAZORPAY_API_BASE`; Razorpay's own API when None.
    pub api_base: Option<String>,
    /// Each call's timeout.
    pub timeout: Duration,
}

impl std::fmt::Debug for RazorpaySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RazorpaySettings")
            .field("key_id", &self.key_id)
            .field("api_base", &self.api_base)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// HMAC-SHA256 of `message` under `secret`, compared in constant time with the
/// lowercase or uppercase hex `signature`.
fn verify_hex_hmac(secret: &str, message: &[u8], signature: &str) -> Result<(), String> {
    let signature = signature.trim();
    if signature.len() != 64 {
        return Err("the signature is not 64 hex digits".into());
    }
    let expected = hex::decode(signature).map_err(|_| "the signature is not hex".to_owned())?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .map_err(|_| "unusable secret".to_owned())?;
    mac.update(message);
    // `verify_slice` compares in constant time.
    mac.verify_slice(&expected)
        .map_err(|_| "the signature does not match".to_owned())
}

/// `X-Razorpay-Signature`: HMAC-SHA256 (hex) of the raw body with the webhook secret.
pub fn verify_webhook_signature(
    webhook_secret: &str,
    payload: &[u8],
    signature: &str,
) -> Result<(), String> {
    verify_hex_hmac(webhook_secret, payload, signature)
}

/// Checkout's `razorpay_signature`: HMAC-SHA256 (hex) of `order_id|payment_id` with
/// the key secret. `order_id` must be the one the marketplace stored, never the one
/// the browser sent.
pub fn verify_payment_signature(
    key_secret: &str,
    order_id: &str,
    payment_id: &str,
    signature: &str,
) -> Result<(), String> {
    verify_hex_hmac(
        key_secret,
        format!("{order_id}|{payment_id}").as_bytes(),
        signature,
    )
}

#[derive(Debug, Deserialize)]
struct RazorpayOrder {
    id: String,
    amount: i64,
    #[serde(default)]
    amount_paid: i64,
    currency: String,
    status: String,
}

#[derive(Debug, Deserialize)]
struct Payment {
    id: String,
    amount: i64,
    currency: String,
    status: String,
}

#[derive(Debug, Deserialize)]
struct Collection<T> {
    items: Vec<T>,
}

#[derive(Debug, Deserialize)]
struct Refund {
    id: String,
    #[serde(default)]
    status: String,
}

/// A Route transfer (razorpay.com/docs/api/payments/route/transfers/create-transfers-payments).
#[derive(Debug, Deserialize)]
struct Transfer {
    id: String,
    amount: i64,
    #[serde(default)]
    amount_reversed: i64,
    #[serde(default)]
    on_hold: bool,
    #[serde(default)]
    notes: serde_json::Value,
}

impl Transfer {
    fn neutral(self) -> ProviderTransfer {
        ProviderTransfer {
            reference: self.id,
            amount_paise: self.amount,
            reversed_paise: self.amount_reversed,
            on_hold: self.on_hold,
        }
    }
}

/// The notes key that carries the marketplace's id of a transfer.
const TRANSFER_KEY_NOTE: &str = "route_transfer_id";

#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Debug, Deserialize)]
struct ErrorDetail {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// A payment that took the money: captured, or captured and since (partly) refunded.
fn took_money(payment: &Payment) -> bool {
    payment.status == "captured" || payment.status == "refunded"
}

fn succeeded(order_id: &str, payment: &Payment) -> ProviderPayment {
    ProviderPayment {
        reference: order_id.to_owned(),
        state: PaymentState::Succeeded,
        provider_status: payment.status.clone(),
        amount_received_paise: payment.amount,
        currency: payment.currency.clone(),
        client_secret: None,
    }
}

/// A refund idempotency key as Razorpay accepts it: at least 10 characters of
/// letters, digits, hyphens and underscores.
fn refund_key(key: &str) -> String {
    let mut key: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    while key.len() < 10 {
        key.push('_');
    }
    key
}

/// The Razorpay API client and secrets.
pub struct RazorpayGateway {
    http: reqwest::Client,
    base: String,
    key_id: String,
    key_secret: String,
    webhook_secret: String,
}

impl std::fmt::Debug for RazorpayGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RazorpayGateway")
            .field("key_id", &self.key_id)
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl RazorpayGateway {
    pub fn new(settings: &RazorpaySettings) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .build()
            .map_err(|e| format!("building the HTTP client: {e}"))?;
        let base = settings
            .api_base
            .clone()
            .unwrap_or_else(|| DEFAULT_API_BASE.to_owned());
        let base = if base.ends_with('/') {
            base
        } else {
            format!("{base}/")
        };
        Ok(Self {
            http,
            base,
            key_id: settings.key_id.clone(),
            key_secret: settings.key_secret.clone(),
            webhook_secret: settings.webhook_secret.clone(),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}v1/{path}", self.base)
    }

    /// Sends one request with basic auth and reads the answer: a 4xx (but 409 and
    /// 429, which ask for a retry) is Razorpay saying no; anything else that is not a
    /// success leaves the outcome unknown.
    async fn send<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, ProviderFailure> {
        let response = request
            .basic_auth(&self.key_id, Some(&self.key_secret))
            .send()
            .await
            .map_err(|e| {
                ProviderFailure::Unavailable(if e.is_timeout() {
                    "timed out".to_owned()
                } else {
                    format!("no answer: {e}")
                })
            })?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| ProviderFailure::Unavailable(format!("answer cut short: {e}")))?;
        if status.is_success() {
            return serde_json::from_slice(&body)
                .map_err(|e| ProviderFailure::Unavailable(format!("unreadable answer: {e}")));
        }
        let message = serde_json::from_slice::<ErrorBody>(&body)
            .ok()
            .map(|b| {
                format!(
                    "{} ({})",
                    b.error.description.unwrap_or_default(),
                    b.error.code.unwrap_or_default()
                )
            })
            .unwrap_or_else(|| status.to_string());
        let message: String = message
            .chars()
            .filter(|c| !c.is_control())
            .take(300)
            .collect();
        if status.is_client_error() && status.as_u16() != 409 && status.as_u16() != 429 {
            Err(ProviderFailure::Refused(message))
        } else {
            Err(ProviderFailure::Unavailable(format!(
                "HTTP {}: {message}",
                status.as_u16()
            )))
        }
    }

    /// A call Razorpay documents as safe to repeat, made again when its outcome is
    /// unknown.
    async fn send_safe<T: DeserializeOwned>(
        &self,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<T, ProviderFailure> {
        let mut last = ProviderFailure::Unavailable("not sent".into());
        for _ in 0..SAFE_ATTEMPTS {
            match self.send(build()).await {
                Err(ProviderFailure::Unavailable(message)) => {
                    last = ProviderFailure::Unavailable(message);
                }
                done => return done,
            }
        }
        Err(last)
    }

    async fn order_by_receipt(
        &self,
        receipt: &str,
    ) -> Result<Option<RazorpayOrder>, ProviderFailure> {
        let found: Collection<RazorpayOrder> = self
            .send_safe(|| {
                self.http
                    .get(self.url("orders"))
                    .query(&[("receipt", receipt)])
            })
            .await?;
        Ok(found.items.into_iter().next())
    }

    async fn payments_of(&self, order_id: &str) -> Result<Vec<Payment>, ProviderFailure> {
        let path = format!("orders/{order_id}/payments");
        let found: Collection<Payment> = self.send_safe(|| self.http.get(self.url(&path))).await?;
        Ok(found.items)
    }

    fn order_payment(order: RazorpayOrder) -> ProviderPayment {
        ProviderPayment {
            state: if order.status == "paid" {
                PaymentState::Succeeded
            } else {
                PaymentState::NotPaid
            },
            provider_status: order.status,
            amount_received_paise: order.amount_paid,
            currency: order.currency,
            // Checkout opens the order by its id: the buyer's handle on the payment,
            // handed out only while the order is payable.
            client_secret: Some(order.id.clone()),
            reference: order.id,
        }
    }

    async fn create(
        &self,
        request: PaymentRequest<'_>,
    ) -> Result<ProviderPayment, ProviderFailure> {
        let body = serde_json::json!({
            "amount": request.amount_paise,
            "currency": request.currency.to_ascii_uppercase(),
            "receipt": request.order_number,
            "notes": {
                "order_id": request.order_id.to_string(),
                "order_number": request.order_number,
            },
        });
        let mut last = ProviderFailure::Unavailable("not sent".into());
        for _ in 0..SAFE_ATTEMPTS {
            // A create whose answer was lost (or an earlier placeOrder's) made the
            // order already: find it by its receipt rather than make a second.
            if let Some(existing) = self.order_by_receipt(request.order_number).await? {
                if existing.amount != request.amount_paise
                    || !existing.currency.eq_ignore_ascii_case(request.currency)
                {
                    return Err(ProviderFailure::Refused(format!(
                        "Razorpay order {} for receipt {} is for {} {}, not {} {}",
                        existing.id,
                        request.order_number,
                        existing.amount,
                        existing.currency,
                        request.amount_paise,
                        request.currency
                    )));
                }
                return Ok(Self::order_payment(existing));
            }
            match self
                .send::<RazorpayOrder>(self.http.post(self.url("orders")).json(&body))
                .await
            {
                Ok(created) => return Ok(Self::order_payment(created)),
                Err(ProviderFailure::Unavailable(message)) => {
                    last = ProviderFailure::Unavailable(message);
                }
                Err(refused) => return Err(refused),
            }
        }
        Err(last)
    }

    /// Captures an authorised payment. Razorpay does not document capture as safe to
    /// repeat, so a capture whose answer is lost (or refused: captured meanwhile) is
    /// never sent again; the payment is read back to learn what happened.
    async fn capture(
        &self,
        order_id: &str,
        payment: &Payment,
    ) -> Result<ProviderPayment, ProviderFailure> {
        let body = serde_json::json!({ "amount": payment.amount, "currency": payment.currency });
        let path = format!("payments/{}/capture", payment.id);
        let outcome = self
            .send::<Payment>(self.http.post(self.url(&path)).json(&body))
            .await;
        let payment = match outcome {
            Ok(captured) => captured,
            Err(e) => {
                tracing::warn!(payment = %payment.id, error = %e, "capture unanswered or refused; reading the payment back");
                let path = format!("payments/{}", payment.id);
                self.send_safe::<Payment>(|| self.http.get(self.url(&path)))
                    .await?
            }
        };
        if took_money(&payment) {
            Ok(succeeded(order_id, &payment))
        } else {
            Ok(ProviderPayment {
                reference: order_id.to_owned(),
                state: PaymentState::InProgress,
                provider_status: payment.status,
                amount_received_paise: 0,
                currency: payment.currency,
                client_secret: None,
            })
        }
    }

    async fn retrieve(&self, order_id: &str) -> Result<ProviderPayment, ProviderFailure> {
        let payments = self.payments_of(order_id).await?;
        if let Some(paid) = payments.iter().find(|p| took_money(p)) {
            return Ok(succeeded(order_id, paid));
        }
        // The buyer's bank approved it and Razorpay holds the money until it is
        // captured (an account without automatic capture): take it.
        if let Some(authorized) = payments.iter().find(|p| p.status == "authorized") {
            return self.capture(order_id, authorized).await;
        }
        Ok(ProviderPayment {
            reference: order_id.to_owned(),
            state: PaymentState::NotPaid,
            provider_status: payments
                .last()
                .map_or_else(|| "created".to_owned(), |p| format!("payment {}", p.status)),
            amount_received_paise: 0,
            currency: String::new(),
            client_secret: None,
        })
    }

    /// Razorpay orders cannot be cancelled. The marketplace stops handing out the
    /// order id (Checkout cannot open it again) and leaves uncaptured authorisations
    /// to lapse (Razorpay returns them to the buyer); a payment that was captured
    /// anyway is recorded, and refunded if the order was released.
    async fn cancel(&self, order_id: &str) -> Result<ProviderPayment, ProviderFailure> {
        let payments = self.payments_of(order_id).await?;
        if let Some(paid) = payments.iter().find(|p| took_money(p)) {
            return Ok(succeeded(order_id, paid));
        }
        Ok(ProviderPayment {
            reference: order_id.to_owned(),
            state: PaymentState::Cancelled,
            provider_status: "closed by the marketplace".into(),
            amount_received_paise: 0,
            currency: String::new(),
            client_secret: None,
        })
    }

    async fn create_refund(
        &self,
        order_id: &str,
        amount_paise: i64,
        idempotency_key: &str,
    ) -> Result<ProviderRefund, ProviderFailure> {
        let payments = self.payments_of(order_id).await?;
        let payment = payments.iter().find(|p| took_money(p)).ok_or_else(|| {
            ProviderFailure::Refused(format!("Razorpay order {order_id} has no captured payment"))
        })?;
        let body = serde_json::json!({
            "amount": amount_paise,
            "notes": { "razorpay_order_id": order_id, "idempotency_key": idempotency_key },
        });
        let key = refund_key(idempotency_key);
        let path = format!("payments/{}/refund", payment.id);
        let refund: Refund = self
            .send_safe(|| {
                self.http
                    .post(self.url(&path))
                    .header("X-Refund-Idempotency", key.as_str())
                    .json(&body)
            })
            .await?;
        Ok(ProviderRefund {
            failed: refund.status == "failed",
            reference: refund.id,
        })
    }
}

/// Route (razorpay.com/docs/payments/route/apis): transfers from a captured payment
/// (`POST /v1/payments/:id/transfers`), fetched by payment
/// (`GET /v1/payments/:id/transfers`), taken off hold (`PATCH /v1/transfers/:id` with
/// `on_hold: false`) and reversed (`POST /v1/transfers/:id/reversals`). Razorpay
/// documents no idempotency key for transfers or reversals, so neither is sent blind
/// twice: a create first looks for a transfer carrying our key in its notes, a
/// reversal first reads how much of the transfer is reversed already.
impl RazorpayGateway {
    async fn captured_payment(&self, order_id: &str) -> Result<Payment, ProviderFailure> {
        self.payments_of(order_id)
            .await?
            .into_iter()
            .find(took_money)
            .ok_or_else(|| {
                ProviderFailure::Refused(format!(
                    "Razorpay order {order_id} has no captured payment"
                ))
            })
    }

    async fn transfer_by_key(
        &self,
        payment_id: &str,
        key: &str,
    ) -> Result<Option<Transfer>, ProviderFailure> {
        let path = format!("payments/{payment_id}/transfers");
        let found: Collection<Transfer> = self.send_safe(|| self.http.get(self.url(&path))).await?;
        Ok(found.items.into_iter().find(|t| {
            t.notes
                .get(TRANSFER_KEY_NOTE)
                .and_then(serde_json::Value::as_str)
                == Some(key)
        }))
    }

    async fn transfer(
        &self,
        request: TransferRequest<'_>,
    ) -> Result<ProviderTransfer, ProviderFailure> {
        let payment = self.captured_payment(request.payment_reference).await?;
        let key = request.key.to_string();
        if let Some(existing) = self.transfer_by_key(&payment.id, &key).await? {
            return Ok(existing.neutral());
        }
        let body = serde_json::json!({ "transfers": [{
            "account": request.account,
            "amount": request.amount_paise,
            "currency": request.currency.to_ascii_uppercase(),
            "notes": {
                TRANSFER_KEY_NOTE: key,
                "razorpay_order_id": request.payment_reference,
            },
            "on_hold": request.on_hold,
        }]});
        let path = format!("payments/{}/transfers", payment.id);
        // Sent once: an unknown outcome is settled by the look-up of the next try.
        let created: Collection<Transfer> = self
            .send(self.http.post(self.url(&path)).json(&body))
            .await?;
        created
            .items
            .into_iter()
            .next()
            .map(Transfer::neutral)
            .ok_or_else(|| ProviderFailure::Unavailable("the create listed no transfer".into()))
    }

    async fn fetch_transfer(&self, reference: &str) -> Result<Transfer, ProviderFailure> {
        let path = format!("transfers/{reference}");
        self.send_safe(|| self.http.get(self.url(&path))).await
    }

    async fn release(&self, reference: &str) -> Result<ProviderTransfer, ProviderFailure> {
        let path = format!("transfers/{reference}");
        let body = serde_json::json!({ "on_hold": false });
        // Setting a value: the same request twice has one effect.
        let released: Transfer = self
            .send_safe(|| self.http.patch(self.url(&path)).json(&body))
            .await?;
        Ok(released.neutral())
    }

    async fn reverse(
        &self,
        reference: &str,
        total_reversed_paise: i64,
    ) -> Result<ProviderTransfer, ProviderFailure> {
        let current = self.fetch_transfer(reference).await?;
        let missing = total_reversed_paise.saturating_sub(current.amount_reversed);
        if missing <= 0 {
            return Ok(current.neutral());
        }
        let path = format!("transfers/{reference}/reversals");
        let body = serde_json::json!({ "amount": missing });
        self.send::<serde_json::Value>(self.http.post(self.url(&path)).json(&body))
            .await?;
        Ok(self.fetch_transfer(reference).await?.neutral())
    }
}

impl TransferGateway for RazorpayGateway {
    fn create_transfer<'a>(
        &'a self,
        request: TransferRequest<'a>,
    ) -> GatewayFuture<'a, ProviderTransfer> {
        Box::pin(self.transfer(request))
    }

    fn release_transfer<'a>(&'a self, reference: &'a str) -> GatewayFuture<'a, ProviderTransfer> {
        Box::pin(self.release(reference))
    }

    fn reverse_transfer<'a>(
        &'a self,
        reference: &'a str,
        total_reversed_paise: i64,
    ) -> GatewayFuture<'a, ProviderTransfer> {
        Box::pin(self.reverse(reference, total_reversed_paise))
    }
}

#[derive(Debug, Deserialize)]
struct Event {
    event: String,
    #[serde(default)]
    payload: serde_json::Value,
}

fn text<'a>(object: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    object.get(key).and_then(serde_json::Value::as_str)
}

fn amount(object: &serde_json::Value, key: &str) -> i64 {
    object
        .get(key)
        .and_then(serde_json::Value::as_i64)
        .unwrap_or(0)
}

/// The Razorpay order an entity names under `key`, with our order id from its notes.
fn payment_ref(object: &serde_json::Value, key: &str) -> Option<PaymentRef> {
    let reference = text(object, key).filter(|r| !r.is_empty())?.to_owned();
    let order_id = object
        .pointer("/notes/order_id")
        .and_then(serde_json::Value::as_str)
        .and_then(|id| Uuid::parse_str(id).ok());
    Some(PaymentRef {
        reference,
        order_id,
    })
}

/// Why the attempt failed, for the buyer: Razorpay's description and reason.
fn failure_message(payment: &serde_json::Value) -> String {
    let description = text(payment, "error_description")
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .unwrap_or("the payment failed");
    let reason = text(payment, "error_reason").filter(|r| !r.is_empty());
    let out = match reason {
        Some(reason) => format!("{description} ({reason})"),
        None => description.to_owned(),
    };
    // A provider's text, shown to the buyer: bounded, single-line.
    out.chars().filter(|c| !c.is_control()).take(300).collect()
}

/// Why a transfer failed, for staff: its `error` object's description and reason.
fn transfer_failure(transfer: &serde_json::Value) -> String {
    let null = serde_json::Value::Null;
    let error = transfer.get("error").unwrap_or(&null);
    let description = text(error, "description")
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .unwrap_or("the transfer failed");
    let out = match text(error, "reason").filter(|r| !r.is_empty() && *r != "NA") {
        Some(reason) => format!("{description} ({reason})"),
        None => description.to_owned(),
    };
    out.chars().filter(|c| !c.is_control()).take(300).collect()
}

/// Razorpay's events in the provider-neutral vocabulary.
fn neutral(event: &Event) -> PaymentEvent {
    let null = serde_json::Value::Null;
    let payment = event.payload.pointer("/payment/entity").unwrap_or(&null);
    let order = event.payload.pointer("/order/entity").unwrap_or(&null);
    let refund = event.payload.pointer("/refund/entity").unwrap_or(&null);
    let transfer = event.payload.pointer("/transfer/entity").unwrap_or(&null);
    let transfer_key = || {
        transfer
            .pointer(&format!("/notes/{TRANSFER_KEY_NOTE}"))
            .and_then(serde_json::Value::as_str)
            .and_then(|id| Uuid::parse_str(id).ok())
    };
    // A refund's order: its payment's, or the one our refund notes carry.
    let refund_ref = || {
        payment_ref(payment, "order_id").or_else(|| {
            refund
                .pointer("/notes/razorpay_order_id")
                .and_then(serde_json::Value::as_str)
                .map(|reference| PaymentRef {
                    reference: reference.to_owned(),
                    order_id: None,
                })
        })
    };
    match event.event.as_str() {
        "payment.captured" => PaymentEvent::Succeeded {
            payment: payment_ref(payment, "order_id"),
            amount_received_paise: amount(payment, "amount"),
            currency: text(payment, "currency").unwrap_or("").to_owned(),
        },
        "order.paid" => PaymentEvent::Succeeded {
            payment: payment_ref(order, "id"),
            amount_received_paise: amount(order, "amount_paid"),
            currency: text(order, "currency").unwrap_or("").to_owned(),
        },
        "payment.authorized" => PaymentEvent::Changed {
            payment: payment_ref(payment, "order_id"),
        },
        // One attempt failed; the Razorpay order stays payable by another method.
        "payment.failed" => PaymentEvent::Declined {
            payment: payment_ref(payment, "order_id"),
            message: failure_message(payment),
        },
        "refund.processed" => PaymentEvent::Refunded {
            payment: refund_ref(),
            succeeded_refunds: text(refund, "id").map(str::to_owned).into_iter().collect(),
            amount_refunded_paise: amount(payment, "amount_refunded"),
        },
        "refund.failed" => match text(refund, "id") {
            Some(id) => PaymentEvent::RefundFailed {
                payment: refund_ref(),
                refund_reference: id.to_owned(),
            },
            None => PaymentEvent::Unused,
        },
        "transfer.processed" => match text(transfer, "id") {
            Some(id) => PaymentEvent::TransferProcessed {
                reference: id.to_owned(),
                key: transfer_key(),
            },
            None => PaymentEvent::Unused,
        },
        "transfer.failed" => match text(transfer, "id") {
            Some(id) => PaymentEvent::TransferFailed {
                reference: id.to_owned(),
                key: transfer_key(),
                message: transfer_failure(transfer),
            },
            None => PaymentEvent::Unused,
        },
        _ => PaymentEvent::Unused,
    }
}

/// Reads a delivery whose signature was verified: the event, under `event_id` (the
/// `X-Razorpay-Event-Id` header), or, should Razorpay ever send none, under the hash
/// of the body, so that a redelivery is still recognised.
pub fn read_event(event_id: Option<&str>, payload: &[u8]) -> Result<WebhookEvent, WebhookError> {
    let event: Event =
        serde_json::from_slice(payload).map_err(|e| WebhookError::Payload(e.to_string()))?;
    let id = match event_id.map(str::trim).filter(|id| !id.is_empty()) {
        Some(id) => id.to_owned(),
        None => format!("body-{}", hex::encode(Sha256::digest(payload))),
    };
    Ok(WebhookEvent {
        event: neutral(&event),
        id,
        kind: event.event,
    })
}

impl PaymentGateway for RazorpayGateway {
    fn provider(&self) -> PaymentProvider {
        PaymentProvider::Razorpay
    }

    fn display_name(&self) -> &'static str {
        "Razorpay"
    }

    fn create_payment<'a>(
        &'a self,
        request: PaymentRequest<'a>,
    ) -> GatewayFuture<'a, ProviderPayment> {
        Box::pin(self.create(request))
    }

    fn fetch_payment<'a>(&'a self, reference: &'a str) -> GatewayFuture<'a, ProviderPayment> {
        Box::pin(self.retrieve(reference))
    }

    fn cancel_payment<'a>(&'a self, reference: &'a str) -> GatewayFuture<'a, ProviderPayment> {
        Box::pin(self.cancel(reference))
    }

    fn refund<'a>(
        &'a self,
        reference: &'a str,
        amount_paise: i64,
        idempotency_key: &'a str,
    ) -> GatewayFuture<'a, ProviderRefund> {
        Box::pin(self.create_refund(reference, amount_paise, idempotency_key))
    }

    fn parse_webhook(
        &self,
        signature: Option<&str>,
        event_id: Option<&str>,
        payload: &[u8],
        _now: i64,
    ) -> Result<WebhookEvent, WebhookError> {
        // Razorpay's signature carries no timestamp: a replay is recognised by its
        // event id, and every handler is idempotent besides.
        let signature = signature
            .ok_or_else(|| WebhookError::Signature("missing X-Razorpay-Signature".into()))?;
        verify_webhook_signature(&self.webhook_secret, payload, signature)
            .map_err(WebhookError::Signature)?;
        read_event(event_id, payload)
    }

    fn checkout_key(&self) -> Option<&str> {
        Some(&self.key_id)
    }

    fn transfers(&self) -> Option<&dyn TransferGateway> {
        Some(self)
    }

    fn verify_checkout_callback(
        &self,
        reference: &str,
        payment_id: &str,
        signature: &str,
    ) -> Result<(), String> {
        verify_payment_signature(&self.key_secret, reference, payment_id, signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, payload: serde_json::Value) -> PaymentEvent {
        neutral(&Event {
            event: kind.into(),
            payload,
        })
    }

    #[test]
    fn razorpay_events_map_to_neutral_ones() {
        let order_id = Uuid::now_v7();
        let captured = event(
            "payment.captured",
            serde_json::json!({ "payment": { "entity": {
                "id": "pay_1", "order_id": "order_1", "amount": 1200, "currency": "INR",
                "status": "captured", "notes": { "order_id": order_id.to_string() } } } }),
        );
        assert_eq!(
            captured,
            PaymentEvent::Succeeded {
                payment: Some(PaymentRef {
                    reference: "order_1".into(),
                    order_id: Some(order_id)
                }),
                amount_received_paise: 1200,
                currency: "INR".into(),
            }
        );
        let paid = event(
            "order.paid",
            serde_json::json!({ "order": { "entity": {
                "id": "order_1", "amount": 1200, "amount_paid": 1200, "currency": "INR",
                "notes": [] } } }),
        );
        assert_eq!(
            paid,
            PaymentEvent::Succeeded {
                payment: Some(PaymentRef {
                    reference: "order_1".into(),
                    order_id: None
                }),
                amount_received_paise: 1200,
                currency: "INR".into(),
            }
        );
        let failed = event(
            "payment.failed",
            serde_json::json!({ "payment": { "entity": {
                "id": "pay_2", "order_id": "order_1", "status": "failed",
                "error_description": "Payment was unsuccessful as the UPI PIN was incorrect.",
                "error_reason": "incorrect_pin" } } }),
        );
        assert_eq!(
            failed,
            PaymentEvent::Declined {
                payment: Some(PaymentRef {
                    reference: "order_1".into(),
                    order_id: None
                }),
                message: "Payment was unsuccessful as the UPI PIN was incorrect. (incorrect_pin)"
                    .into(),
            }
        );
        let refunded = event(
            "refund.processed",
            serde_json::json!({
                "refund": { "entity": { "id": "rfnd_1", "payment_id": "pay_1", "amount": 500,
                    "status": "processed", "notes": { "razorpay_order_id": "order_1" } } },
                "payment": { "entity": { "id": "pay_1", "order_id": "order_1",
                    "amount_refunded": 500 } } }),
        );
        assert_eq!(
            refunded,
            PaymentEvent::Refunded {
                payment: Some(PaymentRef {
                    reference: "order_1".into(),
                    order_id: None
                }),
                succeeded_refunds: vec!["rfnd_1".into()],
                amount_refunded_paise: 500,
            }
        );
        let refund_failed = event(
            "refund.failed",
            serde_json::json!({ "refund": { "entity": { "id": "rfnd_2",
                "notes": { "razorpay_order_id": "order_1" } } } }),
        );
        assert_eq!(
            refund_failed,
            PaymentEvent::RefundFailed {
                payment: Some(PaymentRef {
                    reference: "order_1".into(),
                    order_id: None
                }),
                refund_reference: "rfnd_2".into(),
            }
        );
        assert_eq!(
            event("payment.dispute.created", serde_json::json!({})),
            PaymentEvent::Unused
        );
    }

    #[test]
    fn route_transfer_events_carry_the_transfer_and_our_key() {
        let key = Uuid::now_v7();
        let transfer = serde_json::json!({ "transfer": { "entity": {
            "id": "trf_1", "status": "failed", "notes": { "route_transfer_id": key.to_string() },
            "error": { "code": "BAD_REQUEST_ERROR", "description": "The linked account is suspended",
                       "reason": "account_suspended" } } } });
        assert_eq!(
            event("transfer.failed", transfer.clone()),
            PaymentEvent::TransferFailed {
                reference: "trf_1".into(),
                key: Some(key),
                message: "The linked account is suspended (account_suspended)".into(),
            }
        );
        assert_eq!(
            event("transfer.processed", transfer),
            PaymentEvent::TransferProcessed {
                reference: "trf_1".into(),
                key: Some(key),
            }
        );
        // Razorpay's error object of a processed transfer holds nulls.
        assert_eq!(
            transfer_failure(
                &serde_json::json!({ "error": { "description": null, "reason": null } })
            ),
            "the transfer failed"
        );
        assert_eq!(
            event("transfer.processed", serde_json::json!({})),
            PaymentEvent::Unused
        );
    }

    #[test]
    fn refund_keys_meet_razorpays_rules() {
        assert_eq!(refund_key("refund-01.2"), "refund-01-2");
        assert_eq!(refund_key("late"), "late______");
    }

    #[test]
    fn event_ids_come_from_the_header_or_the_body() {
        let body = br#"{"event":"order.paid","payload":{}}"#;
        assert_eq!(read_event(Some(" evt_1 "), body).unwrap().id, "evt_1");
        let hashed = read_event(None, body).unwrap().id;
        assert!(
            hashed.starts_with("body-") && hashed.len() == 5 + 64,
            "{hashed}"
        );
        assert!(read_event(Some("evt_1"), b"not json").is_err());
    }

    #[test]
    fn malformed_signatures_are_refused_not_panicked_on() {
        for signature in ["", "zz", &"g".repeat(64), &"0".repeat(63), &"0".repeat(64)] {
            assert!(verify_webhook_signature("secret", b"{}", signature).is_err());
        }
    }
}
