//! Stripe: PaymentIntents for card and UPI payments, refunds, reconciliation, and the
//! webhook that tells us what happened.
//!
//! Webhooks are verified as Stripe specifies: the `Stripe-Signature` header carries a
//! timestamp `t` and one or more `v1` signatures (several while a secret is rolled);
//! each is HMAC-SHA256, keyed with the endpoint secret, over `t.payload`. One matching
//! `v1` (compared in constant time) and a timestamp within the tolerance are required;
//! anything else is refused. Every event id is processed once; the handlers work from
//! the order's state, so duplicates and out-of-order deliveries change nothing.

use std::{collections::HashMap, time::Duration};

use chrono::Utc;
use hmac::{Hmac, Mac};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, OnConflict},
};
use serde::Deserialize;
use sha2::Sha256;
use stripe_client::{
    Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError, StripeRequest,
};
use stripe_core::{
    payment_intent::{
        CreatePaymentIntent, CreatePaymentIntentAutomaticPaymentMethods, RetrievePaymentIntent,
    },
    refund::CreateRefund,
};
use uuid::Uuid;

use crate::{
    OrderError, OrderService, Party, PlacedOrder,
    entity::{order, payment_event, refund},
    payments::{PaymentRecord, flag},
};

/// How to reach Stripe.
#[derive(Clone)]
pub struct StripeSettings {
    pub secret_key: String,
    pub webhook_secret: String,
    /// `STRIPE_API_BASE`; Stripe's own API when None.
    pub api_base: Option<String>,
    pub timeout: Duration,
    /// How old (or how far in the future) a signed webhook may be.
    pub signature_tolerance: Duration,
}

impl std::fmt::Debug for StripeSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeSettings")
            .field("api_base", &self.api_base)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Why a provider call failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ProviderFailure {
    /// The provider answered and said no; repeating will not help.
    #[error("refused: {0}")]
    Refused(String),
    /// No usable answer (network, timeout, 5xx): the outcome is unknown.
    #[error("unavailable: {0}")]
    Unavailable(String),
}

fn failure(error: StripeError) -> ProviderFailure {
    match error {
        StripeError::Stripe(api, status) if (400..500).contains(&status) && status != 429 => {
            ProviderFailure::Refused(format!(
                "{} ({})",
                api.message.clone().unwrap_or_default(),
                api.code
                    .as_ref()
                    .map(|c| c.as_str().to_owned())
                    .unwrap_or_default()
            ))
        }
        StripeError::Stripe(api, status) => ProviderFailure::Unavailable(format!(
            "HTTP {status}: {}",
            api.message.clone().unwrap_or_default()
        )),
        StripeError::Timeout => ProviderFailure::Unavailable("timed out".into()),
        StripeError::ClientError(message)
        | StripeError::JSONDeserialize(message)
        | StripeError::ConfigError(message) => ProviderFailure::Unavailable(message),
    }
}

/// A PaymentIntent as we need it.
#[derive(Debug, Clone)]
pub struct IntentState {
    pub id: String,
    pub status: String,
    pub amount_received: i64,
    pub currency: String,
    pub client_secret: Option<String>,
}

#[derive(Debug, Clone)]
pub struct CreatedRefund {
    pub id: String,
    pub status: String,
}

/// The Stripe API client and webhook secret.
pub struct StripeGateway {
    client: Client,
    webhook_secret: String,
    tolerance: Duration,
}

impl std::fmt::Debug for StripeGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeGateway").finish_non_exhaustive()
    }
}

impl StripeGateway {
    pub fn new(settings: &StripeSettings) -> Result<Self, String> {
        let mut builder = ClientBuilder::new(settings.secret_key.clone()).timeout(settings.timeout);
        if let Some(base) = &settings.api_base {
            // async-stripe appends `v1/…` to the base as given.
            let base = if base.ends_with('/') {
                base.clone()
            } else {
                format!("{base}/")
            };
            builder = builder.url(base);
        }
        Ok(Self {
            client: builder.build().map_err(|e| format!("{}", failure(e)))?,
            webhook_secret: settings.webhook_secret.clone(),
            tolerance: settings.signature_tolerance,
        })
    }

    pub async fn create_payment_intent(
        &self,
        order_id: Uuid,
        order_number: &str,
        amount_paise: i64,
    ) -> Result<IntentState, ProviderFailure> {
        let metadata = HashMap::from([
            ("order_id".to_owned(), order_id.to_string()),
            ("order_number".to_owned(), order_number.to_owned()),
        ]);
        let key = IdempotencyKey::new(format!("order-{order_id}-payment-intent"))
            .map_err(|e| ProviderFailure::Unavailable(e.to_string()))?;
        let intent = CreatePaymentIntent::new(amount_paise, stripe_types::Currency::INR)
            .metadata(metadata)
            .automatic_payment_methods(CreatePaymentIntentAutomaticPaymentMethods::new(true))
            .customize()
            .request_strategy(RequestStrategy::Idempotent(key))
            .send(&self.client)
            .await
            .map_err(failure)?;
        Ok(IntentState {
            id: intent.id.as_str().to_owned(),
            status: intent.status.as_str().to_owned(),
            amount_received: intent.amount_received,
            currency: intent.currency.to_string(),
            client_secret: intent.client_secret,
        })
    }

    pub async fn retrieve_payment_intent(&self, id: &str) -> Result<IntentState, ProviderFailure> {
        let intent = RetrievePaymentIntent::new(id)
            .send(&self.client)
            .await
            .map_err(failure)?;
        Ok(IntentState {
            id: intent.id.as_str().to_owned(),
            status: intent.status.as_str().to_owned(),
            amount_received: intent.amount_received,
            currency: intent.currency.to_string(),
            client_secret: None,
        })
    }

    pub async fn create_refund(
        &self,
        payment_intent: &str,
        amount_paise: i64,
        idempotency_key: &str,
    ) -> Result<CreatedRefund, ProviderFailure> {
        let key = IdempotencyKey::new(idempotency_key)
            .map_err(|e| ProviderFailure::Unavailable(e.to_string()))?;
        let refund = CreateRefund::new()
            .payment_intent(payment_intent)
            .amount(amount_paise)
            .customize()
            .request_strategy(RequestStrategy::Idempotent(key))
            .send(&self.client)
            .await
            .map_err(failure)?;
        Ok(CreatedRefund {
            id: refund.id.as_str().to_owned(),
            status: refund.status.unwrap_or_default(),
        })
    }

    /// Checks a `Stripe-Signature` header against the raw payload at `now` (seconds).
    pub fn verify_signature(&self, header: &str, payload: &[u8], now: i64) -> Result<(), String> {
        verify_signature(&self.webhook_secret, header, payload, now, self.tolerance)
    }
}

/// Stripe's webhook signature scheme (see the module documentation).
pub fn verify_signature(
    secret: &str,
    header: &str,
    payload: &[u8],
    now: i64,
    tolerance: Duration,
) -> Result<(), String> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let Some((key, value)) = part.trim().split_once('=') else {
            continue;
        };
        match key {
            "t" => timestamp = value.parse::<i64>().ok(),
            "v1" => signatures.push(value),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or("the signature header has no timestamp")?;
    if signatures.is_empty() {
        return Err("the signature header has no v1 signature".into());
    }
    let tolerance = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    if (now - timestamp).abs() > tolerance {
        return Err("the signature timestamp is outside the tolerance".into());
    }
    let mut signed = timestamp.to_string().into_bytes();
    signed.push(b'.');
    signed.extend_from_slice(payload);
    for signature in signatures {
        let Ok(expected) = hex::decode(signature) else {
            continue;
        };
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
            .map_err(|_| "the webhook secret is unusable")?;
        mac.update(&signed);
        if mac.verify_slice(&expected).is_ok() {
            return Ok(());
        }
    }
    Err("no v1 signature matches".into())
}

/// Why a webhook delivery was refused.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("signature: {0}")]
    Signature(String),
    #[error("payload: {0}")]
    Payload(String),
    #[error("card payments are not configured")]
    NotConfigured,
    #[error(transparent)]
    Order(#[from] OrderError),
}

/// What a webhook delivery did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookOutcome {
    Processed(String),
    Duplicate,
    Ignored(String),
}

#[derive(Debug, Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: EventData,
}

#[derive(Debug, Deserialize)]
struct EventData {
    object: serde_json::Value,
}

fn text<'a>(object: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    object.get(key).and_then(serde_json::Value::as_str)
}

impl OrderService {
    /// After `placeOrder`: a card order gets its PaymentIntent (created once, with an
    /// idempotency key; a failure leaves the order to be retried with the same key).
    pub(crate) async fn ensure_payment_intent(
        &self,
        mut placed: PlacedOrder,
    ) -> Result<PlacedOrder, OrderError> {
        let order = order::Entity::find_by_id(placed.order_id)
            .one(&self.db)
            .await?
            .ok_or(OrderError::NotFound("order"))?;
        if order.payment_provider != "stripe"
            || order.payment_reference.is_some()
            || order.status != crate::OrderStatus::PendingPayment.as_str()
        {
            return Ok(placed);
        }
        let Some(gateway) = &self.stripe else {
            placed.payment_error = Some("card payments are not configured".into());
            return Ok(placed);
        };
        match gateway
            .create_payment_intent(order.id, &order.number, order.total_paise)
            .await
        {
            Ok(intent) => {
                order::Entity::update_many()
                    .col_expr(order::Column::PaymentReference, Expr::value(intent.id))
                    .col_expr(
                        order::Column::PaymentClientSecret,
                        Expr::value(intent.client_secret),
                    )
                    .col_expr(order::Column::UpdatedAt, Expr::value(Utc::now()))
                    .filter(order::Column::Id.eq(order.id))
                    .filter(order::Column::PaymentReference.is_null())
                    .exec(&self.db)
                    .await?;
            }
            Err(e) => {
                tracing::warn!(order_id = %order.id, error = %e, "could not create the PaymentIntent");
                placed.payment_error = Some(format!(
                    "the card payment could not be started ({e}); place the order again with the same idempotencyKey"
                ));
            }
        }
        Ok(placed)
    }

    /// `POST /webhooks/stripe`.
    pub async fn handle_stripe_webhook(
        &self,
        signature: Option<&str>,
        payload: &[u8],
    ) -> Result<WebhookOutcome, WebhookError> {
        let gateway = self.stripe.as_ref().ok_or(WebhookError::NotConfigured)?;
        let signature =
            signature.ok_or_else(|| WebhookError::Signature("missing Stripe-Signature".into()))?;
        gateway
            .verify_signature(signature, payload, Utc::now().timestamp())
            .map_err(WebhookError::Signature)?;
        let event: Event =
            serde_json::from_slice(payload).map_err(|e| WebhookError::Payload(e.to_string()))?;
        if event.id.is_empty() || event.id.len() > 255 {
            return Err(WebhookError::Payload("bad event id".into()));
        }
        if payment_event::Entity::find_by_id(event.id.clone())
            .one(&self.db)
            .await
            .map_err(OrderError::from)?
            .is_some()
        {
            return Ok(WebhookOutcome::Duplicate);
        }
        let (order_id, outcome) = self.apply_stripe_event(&event).await?;
        // Recorded after the effects, which are idempotent: a crash in between means
        // Stripe redelivers and the handler finds the work done.
        payment_event::Entity::insert(payment_event::ActiveModel {
            id: Set(event.id.clone()),
            provider: Set("stripe".into()),
            event_type: Set(event.kind.clone()),
            order_id: Set(order_id),
            outcome: Set(match &outcome {
                WebhookOutcome::Processed(s) | WebhookOutcome::Ignored(s) => s.clone(),
                WebhookOutcome::Duplicate => "duplicate".into(),
            }),
            received_at: Set(Utc::now()),
        })
        .on_conflict(
            OnConflict::column(payment_event::Column::Id)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await
        .map_err(OrderError::from)?;
        Ok(outcome)
    }

    async fn order_of_intent(
        &self,
        object: &serde_json::Value,
        intent_key: &str,
    ) -> Result<Option<order::Model>, OrderError> {
        let Some(intent) = text(object, intent_key) else {
            return Ok(None);
        };
        if let Some(order) = order::Entity::find()
            .filter(order::Column::PaymentReference.eq(intent))
            .one(&self.db)
            .await?
        {
            return Ok(Some(order));
        }
        // The intent was created but its id not yet stored (a crash in between):
        // its metadata names the order.
        let Some(order_id) = object
            .pointer("/metadata/order_id")
            .and_then(serde_json::Value::as_str)
            .and_then(|id| Uuid::parse_str(id).ok())
        else {
            return Ok(None);
        };
        let order = order::Entity::find_by_id(order_id).one(&self.db).await?;
        Ok(order.filter(|o| {
            o.payment_provider == "stripe"
                && o.payment_reference.as_deref().is_none_or(|r| r == intent)
        }))
    }

    async fn apply_stripe_event(
        &self,
        event: &Event,
    ) -> Result<(Option<Uuid>, WebhookOutcome), OrderError> {
        let object = &event.data.object;
        match event.kind.as_str() {
            "payment_intent.succeeded" => {
                let Some(order) = self.order_of_intent(object, "id").await? else {
                    return Ok((
                        None,
                        WebhookOutcome::Ignored("no order for this PaymentIntent".into()),
                    ));
                };
                let amount = object
                    .get("amount_received")
                    .and_then(serde_json::Value::as_i64)
                    .unwrap_or(0);
                let currency = text(object, "currency").unwrap_or("");
                let record = self
                    .record_payment(
                        order.id,
                        amount,
                        currency,
                        &Party::system(),
                        "Stripe: payment_intent.succeeded",
                    )
                    .await?;
                let outcome = match record {
                    PaymentRecord::Recorded => "paid".to_owned(),
                    PaymentRecord::AlreadyPaid => "already paid".to_owned(),
                    PaymentRecord::Mismatch(issue) => format!("flagged: {issue}"),
                    PaymentRecord::ArrivedAfterRelease => {
                        self.refund_late_payment(order.id).await?;
                        "paid after release: refunded".to_owned()
                    }
                };
                Ok((Some(order.id), WebhookOutcome::Processed(outcome)))
            }
            "payment_intent.payment_failed" | "payment_intent.canceled" => {
                let Some(order) = self.order_of_intent(object, "id").await? else {
                    return Ok((
                        None,
                        WebhookOutcome::Ignored("no order for this PaymentIntent".into()),
                    ));
                };
                let reason = if event.kind.ends_with("canceled") {
                    "the card payment was cancelled"
                } else {
                    "the card payment failed"
                };
                let released = self.release_unpaid(order.id, reason).await?;
                Ok((
                    Some(order.id),
                    WebhookOutcome::Processed(if released {
                        "released".into()
                    } else {
                        "nothing to release".into()
                    }),
                ))
            }
            "charge.refunded" => {
                let Some(order) = self.order_of_intent(object, "payment_intent").await? else {
                    return Ok((
                        None,
                        WebhookOutcome::Ignored("no order for this charge".into()),
                    ));
                };
                let refunds = object
                    .pointer("/refunds/data")
                    .and_then(serde_json::Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                for r in &refunds {
                    if let (Some(id), Some("succeeded")) = (text(r, "id"), text(r, "status")) {
                        refund::Entity::update_many()
                            .col_expr(
                                refund::Column::Status,
                                Expr::value(crate::refunds::SUCCEEDED),
                            )
                            .col_expr(refund::Column::UpdatedAt, Expr::value(Utc::now()))
                            .filter(refund::Column::OrderId.eq(order.id))
                            .filter(refund::Column::ProviderReference.eq(id))
                            .exec(&self.db)
                            .await?;
                    }
                }
                let at_stripe = object
                    .get("amount_refunded")
                    .and_then(serde_json::Value::as_i64)
                    .unwrap_or(0);
                let current = order::Entity::find_by_id(order.id)
                    .one(&self.db)
                    .await?
                    .ok_or(OrderError::NotFound("order"))?;
                if at_stripe > current.refunded_paise {
                    flag(
                        &self.db,
                        order.id,
                        &format!(
                            "Stripe shows {at_stripe} paise refunded but the marketplace recorded {}: a refund was made outside it",
                            current.refunded_paise
                        ),
                    )
                    .await?;
                    return Ok((
                        Some(order.id),
                        WebhookOutcome::Processed(
                            "flagged: refund made outside the marketplace".into(),
                        ),
                    ));
                }
                Ok((
                    Some(order.id),
                    WebhookOutcome::Processed("refunds confirmed".into()),
                ))
            }
            other => Ok((
                None,
                WebhookOutcome::Ignored(format!("{other} is not used")),
            )),
        }
    }

    /// Asks Stripe about an unpaid order's PaymentIntent: true when it was paid (and is
    /// now recorded), false when it was not, an error when Stripe could not say.
    pub(crate) async fn reconcile_with_stripe(
        &self,
        order: &order::Model,
    ) -> Result<bool, OrderError> {
        let (Some(gateway), Some(intent)) = (&self.stripe, &order.payment_reference) else {
            return Ok(false);
        };
        let state = gateway
            .retrieve_payment_intent(intent)
            .await
            .map_err(|e| OrderError::Provider(e.to_string()))?;
        match state.status.as_str() {
            "succeeded" => {
                let record = self
                    .record_payment(
                        order.id,
                        state.amount_received,
                        &state.currency,
                        &Party::system(),
                        "Stripe: reconciled before expiry",
                    )
                    .await?;
                if record == PaymentRecord::ArrivedAfterRelease {
                    self.refund_late_payment(order.id).await?;
                }
                Ok(true)
            }
            // The buyer is still paying: give it until the next sweep.
            "processing" | "requires_action" | "requires_capture" => Err(OrderError::Provider(
                format!("payment still {}", state.status),
            )),
            _ => Ok(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &str, t: i64, payload: &[u8]) -> String {
        let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
            Ok(mac) => mac,
            Err(_) => return String::new(),
        };
        mac.update(format!("{t}.").as_bytes());
        mac.update(payload);
        hex::encode(mac.finalize().into_bytes())
    }

    const TOLERANCE: Duration = Duration::from_secs(300);

    #[test]
    fn a_valid_signature_passes_and_a_tampered_payload_fails() {
        let payload = br#"{"id":"evt_1"}"#;
        let header = format!("t=1000,v1={}", sign("whsec_x", 1000, payload));
        assert_eq!(
            verify_signature("whsec_x", &header, payload, 1010, TOLERANCE),
            Ok(())
        );
        assert!(
            verify_signature("whsec_x", &header, br#"{"id":"evt_2"}"#, 1010, TOLERANCE).is_err()
        );
        assert!(verify_signature("whsec_y", &header, payload, 1010, TOLERANCE).is_err());
    }

    #[test]
    fn any_of_several_v1_signatures_may_match_and_v0_is_ignored() {
        let payload = b"{}";
        let good = sign("whsec_x", 1000, payload);
        let header = format!("t=1000,v1={},v0={good},v1={good}", "ab".repeat(32));
        assert_eq!(
            verify_signature("whsec_x", &header, payload, 1000, TOLERANCE),
            Ok(())
        );
        let only_v0 = format!("t=1000,v0={good}");
        assert!(verify_signature("whsec_x", &only_v0, payload, 1000, TOLERANCE).is_err());
    }

    #[test]
    fn stale_and_future_timestamps_fail() {
        let payload = b"{}";
        let header = format!("t=1000,v1={}", sign("whsec_x", 1000, payload));
        assert!(verify_signature("whsec_x", &header, payload, 1301, TOLERANCE).is_err());
        assert!(verify_signature("whsec_x", &header, payload, 699, TOLERANCE).is_err());
        assert!(verify_signature("whsec_x", "garbage", payload, 1000, TOLERANCE).is_err());
        assert!(verify_signature("whsec_x", "t=abc,v1=00", payload, 1000, TOLERANCE).is_err());
    }
}

#[cfg(test)]
mod hostile_input {
    use rand::{Rng, SeedableRng, rngs::StdRng};

    use super::*;

    #[test]
    fn random_headers_and_payloads_are_refused_without_panicking() {
        let mut rng = StdRng::seed_from_u64(7);
        let alphabet = b"tv01=,abcdef0123456789 .\x00\xff";
        for _ in 0..5_000 {
            let header: Vec<u8> = (0..rng.random_range(0..120))
                .map(|_| alphabet[rng.random_range(0..alphabet.len())])
                .collect();
            let payload: Vec<u8> = (0..rng.random_range(0..64)).map(|_| rng.random()).collect();
            let header = String::from_utf8_lossy(&header);
            assert!(
                verify_signature(
                    "whsec_x",
                    &header,
                    &payload,
                    1_000,
                    Duration::from_secs(300)
                )
                .is_err()
                    || header.contains("v1=")
            );
            let _ = serde_json::from_slice::<Event>(&payload);
        }
    }
}
