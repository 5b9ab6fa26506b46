//! Stripe as a [`PaymentGateway`]: PaymentIntents for card and UPI payments, refunds,
//! and the signed webhook (`Stripe-Signature`, verified by the shared
//! [`kernel::webhook_signature`] scheme). Only client calls and the mapping of Stripe's
//! vocabulary; what the events mean for an order is decided in the payment use cases.

use std::{collections::HashMap, time::Duration};

use serde::Deserialize;
use stripe_client::{
    Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError, StripeRequest,
};
use stripe_core::{
    payment_intent::{
        CancelPaymentIntent, CreatePaymentIntent, CreatePaymentIntentAutomaticPaymentMethods,
        RetrievePaymentIntent,
    },
    refund::CreateRefund,
};
use uuid::Uuid;

/// Stripe's webhook signature scheme, for callers that named it here.
pub use kernel::webhook_signature::verify_signature;

use crate::{
    PaymentProvider,
    payments::gateway::{
        GatewayFuture, PaymentEvent, PaymentGateway, PaymentRef, PaymentRequest, PaymentState,
        ProviderFailure, ProviderPayment, ProviderRefund, WebhookError, WebhookEvent,
    },
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

fn payment(intent: stripe_core::PaymentIntent) -> ProviderPayment {
    let status = intent.status.as_str().to_owned();
    ProviderPayment {
        reference: intent.id.as_str().to_owned(),
        state: match status.as_str() {
            "succeeded" => PaymentState::Succeeded,
            "processing" | "requires_action" | "requires_capture" => PaymentState::InProgress,
            "canceled" => PaymentState::Cancelled,
            _ => PaymentState::NotPaid,
        },
        provider_status: status,
        amount_received_paise: intent.amount_received,
        currency: intent.currency.to_string(),
        client_secret: intent.client_secret,
    }
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

    async fn create(
        &self,
        request: PaymentRequest<'_>,
    ) -> Result<ProviderPayment, ProviderFailure> {
        let metadata = HashMap::from([
            ("order_id".to_owned(), request.order_id.to_string()),
            ("order_number".to_owned(), request.order_number.to_owned()),
        ]);
        let key = IdempotencyKey::new(request.idempotency_key)
            .map_err(|e| ProviderFailure::Unavailable(e.to_string()))?;
        let currency = request
            .currency
            .to_ascii_lowercase()
            .parse::<stripe_types::Currency>()
            .map_err(|_| ProviderFailure::Refused(format!("currency {}", request.currency)))?;
        let intent = CreatePaymentIntent::new(request.amount_paise, currency)
            .metadata(metadata)
            .automatic_payment_methods(CreatePaymentIntentAutomaticPaymentMethods::new(true))
            .customize()
            .request_strategy(RequestStrategy::Idempotent(key))
            .send(&self.client)
            .await
            .map_err(failure)?;
        Ok(payment(intent))
    }

    async fn retrieve(&self, id: &str) -> Result<ProviderPayment, ProviderFailure> {
        let intent = RetrievePaymentIntent::new(id)
            .send(&self.client)
            .await
            .map_err(failure)?;
        // Only the creator hands the client secret out.
        Ok(ProviderPayment {
            client_secret: None,
            ..payment(intent)
        })
    }

    async fn cancel(&self, id: &str) -> Result<ProviderPayment, ProviderFailure> {
        // One key per intent: a retried cancel after a timeout is the same request.
        let key = IdempotencyKey::new(format!("cancel-{id}"))
            .map_err(|e| ProviderFailure::Unavailable(e.to_string()))?;
        let intent = CancelPaymentIntent::new(id)
            .customize()
            .request_strategy(RequestStrategy::Idempotent(key))
            .send(&self.client)
            .await
            .map_err(failure)?;
        Ok(ProviderPayment {
            client_secret: None,
            ..payment(intent)
        })
    }

    async fn create_refund(
        &self,
        payment_intent: &str,
        amount_paise: i64,
        idempotency_key: &str,
    ) -> Result<ProviderRefund, ProviderFailure> {
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
        let status = refund.status.unwrap_or_default();
        Ok(ProviderRefund {
            reference: refund.id.as_str().to_owned(),
            failed: status == "failed" || status == "canceled",
        })
    }
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

/// The PaymentIntent an event object names under `intent_key`, with the order id its
/// metadata carries.
fn payment_ref(object: &serde_json::Value, intent_key: &str) -> Option<PaymentRef> {
    let reference = text(object, intent_key)?.to_owned();
    let order_id = object
        .pointer("/metadata/order_id")
        .and_then(serde_json::Value::as_str)
        .and_then(|id| Uuid::parse_str(id).ok());
    Some(PaymentRef {
        reference,
        order_id,
    })
}

/// Why Stripe declined the attempt, from the intent's `last_payment_error`: its message
/// for the buyer, and the decline code when there is one.
fn decline_message(object: &serde_json::Value) -> String {
    let error = object.get("last_payment_error");
    let message = error
        .and_then(|e| text(e, "message"))
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .unwrap_or("the payment was declined");
    let code = error
        .and_then(|e| text(e, "decline_code").or_else(|| text(e, "code")))
        .filter(|c| !c.is_empty());
    let mut out: String = match code {
        Some(code) => format!("{message} ({code})"),
        None => message.to_owned(),
    };
    // A provider's text, shown to the buyer: bounded, single-line.
    out = out.chars().filter(|c| !c.is_control()).take(300).collect();
    out
}

/// Stripe's event types in the provider-neutral vocabulary.
fn neutral(event: &Event) -> PaymentEvent {
    let object = &event.data.object;
    match event.kind.as_str() {
        "payment_intent.succeeded" => PaymentEvent::Succeeded {
            payment: payment_ref(object, "id"),
            amount_received_paise: object
                .get("amount_received")
                .and_then(serde_json::Value::as_i64)
                .unwrap_or(0),
            currency: text(object, "currency").unwrap_or("").to_owned(),
        },
        // Stripe leaves a PaymentIntent whose payment failed in `requires_payment_method`:
        // the buyer may confirm it again with another card.
        "payment_intent.payment_failed" => PaymentEvent::Declined {
            payment: payment_ref(object, "id"),
            message: decline_message(object),
        },
        "payment_intent.canceled" => PaymentEvent::Cancelled {
            payment: payment_ref(object, "id"),
        },
        "charge.refunded" => PaymentEvent::Refunded {
            payment: payment_ref(object, "payment_intent"),
            succeeded_refunds: object
                .pointer("/refunds/data")
                .and_then(serde_json::Value::as_array)
                .map(|refunds| {
                    refunds
                        .iter()
                        .filter_map(|r| match (text(r, "id"), text(r, "status")) {
                            (Some(id), Some("succeeded")) => Some(id.to_owned()),
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            amount_refunded_paise: object
                .get("amount_refunded")
                .and_then(serde_json::Value::as_i64)
                .unwrap_or(0),
        },
        _ => PaymentEvent::Unused,
    }
}

impl PaymentGateway for StripeGateway {
    fn provider(&self) -> PaymentProvider {
        PaymentProvider::Stripe
    }

    fn display_name(&self) -> &'static str {
        "Stripe"
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
        _event_id: Option<&str>,
        payload: &[u8],
        now: i64,
    ) -> Result<WebhookEvent, WebhookError> {
        let signature =
            signature.ok_or_else(|| WebhookError::Signature("missing Stripe-Signature".into()))?;
        verify_signature(
            &self.webhook_secret,
            signature,
            payload,
            now,
            self.tolerance,
        )
        .map_err(WebhookError::Signature)?;
        let event: Event =
            serde_json::from_slice(payload).map_err(|e| WebhookError::Payload(e.to_string()))?;
        Ok(WebhookEvent {
            event: neutral(&event),
            id: event.id,
            kind: event.kind,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, object: serde_json::Value) -> Event {
        Event {
            id: "evt_1".into(),
            kind: kind.into(),
            data: EventData { object },
        }
    }

    #[test]
    fn stripe_events_map_to_neutral_ones() {
        let order_id = Uuid::now_v7();
        let succeeded = event(
            "payment_intent.succeeded",
            serde_json::json!({
                "id": "pi_1", "amount_received": 1200, "currency": "inr",
                "metadata": { "order_id": order_id.to_string() }
            }),
        );
        assert_eq!(
            neutral(&succeeded),
            PaymentEvent::Succeeded {
                payment: Some(PaymentRef {
                    reference: "pi_1".into(),
                    order_id: Some(order_id)
                }),
                amount_received_paise: 1200,
                currency: "inr".into(),
            }
        );
        let cancelled = event(
            "payment_intent.canceled",
            serde_json::json!({ "id": "pi_1" }),
        );
        assert!(matches!(
            neutral(&cancelled),
            PaymentEvent::Cancelled { .. }
        ));
        let declined = event(
            "payment_intent.payment_failed",
            serde_json::json!({ "id": "pi_1", "status": "requires_payment_method",
                "last_payment_error": { "code": "card_declined", "decline_code": "insufficient_funds",
                    "message": "Your card has insufficient funds." } }),
        );
        assert_eq!(
            neutral(&declined),
            PaymentEvent::Declined {
                payment: Some(PaymentRef {
                    reference: "pi_1".into(),
                    order_id: None
                }),
                message: "Your card has insufficient funds. (insufficient_funds)".into(),
            }
        );
        let refunded = event(
            "charge.refunded",
            serde_json::json!({
                "payment_intent": "pi_1", "amount_refunded": 500,
                "refunds": { "data": [
                    { "id": "re_1", "status": "succeeded" },
                    { "id": "re_2", "status": "pending" }
                ] }
            }),
        );
        assert_eq!(
            neutral(&refunded),
            PaymentEvent::Refunded {
                payment: Some(PaymentRef {
                    reference: "pi_1".into(),
                    order_id: None
                }),
                succeeded_refunds: vec!["re_1".into()],
                amount_refunded_paise: 500,
            }
        );
        let other = event("customer.created", serde_json::json!({}));
        assert_eq!(neutral(&other), PaymentEvent::Unused);
    }

    #[test]
    fn random_payloads_do_not_panic_the_event_reader() {
        use rand::{Rng, SeedableRng, rngs::StdRng};
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..5_000 {
            let payload: Vec<u8> = (0..rng.random_range(0..64)).map(|_| rng.random()).collect();
            if let Ok(event) = serde_json::from_slice::<Event>(&payload) {
                let _ = neutral(&event);
            }
        }
    }
}
