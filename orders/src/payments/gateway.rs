//! What the order domain needs from a payment provider, in the provider's absence of
//! meaning: start a payment, ask how it stands, cancel it, refund part of it, and turn
//! a signed webhook delivery into provider-neutral events. Stripe is one
//! implementation; a second provider (Razorpay, UPI) is another, and every use case
//! (recording payments, refunds, reconciliation, webhooks) works with either.

use std::{future::Future, pin::Pin};

use uuid::Uuid;

use crate::{OrderError, PaymentProvider};

/// A provider call in flight.
pub type GatewayFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<T, ProviderFailure>> + Send + 'a>>;

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

/// A payment to start for an order.
#[derive(Debug, Clone, Copy)]
pub struct PaymentRequest<'a> {
    pub order_id: Uuid,
    pub order_number: &'a str,
    pub amount_paise: i64,
    /// ISO 4217, e.g. `INR`.
    pub currency: &'a str,
    /// The same key always names the same payment at the provider.
    pub idempotency_key: &'a str,
}

/// How a payment stands at the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentState {
    Succeeded,
    /// The buyer is still paying (authentication, processing, capture).
    InProgress,
    /// Not paid yet, and open: the buyer may still pay (after a declined card, too).
    NotPaid,
    /// Cancelled at the provider: it can never be paid.
    Cancelled,
}

/// A payment as the provider reports it.
#[derive(Debug, Clone)]
pub struct ProviderPayment {
    /// The provider's id for the payment (a PaymentIntent id for Stripe).
    pub reference: String,
    pub state: PaymentState,
    /// The provider's own word for the state, for messages.
    pub provider_status: String,
    pub amount_received_paise: i64,
    pub currency: String,
    /// What the buyer's client needs to pay (Stripe's client secret).
    pub client_secret: Option<String>,
}

/// A refund as the provider accepted it.
#[derive(Debug, Clone)]
pub struct ProviderRefund {
    pub reference: String,
    /// The provider accepted the request but the refund failed or was cancelled.
    pub failed: bool,
}

/// The payment a webhook event is about: the provider's reference, and the order id
/// the payment was created for (its metadata), for a payment whose reference was not
/// stored yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRef {
    pub reference: String,
    pub order_id: Option<Uuid>,
}

/// What a webhook delivery says, without the provider's vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentEvent {
    /// The money arrived. `payment` is None when the event names no payment.
    Succeeded {
        payment: Option<PaymentRef>,
        amount_received_paise: i64,
        currency: String,
    },
    /// One attempt to pay was declined; the payment stays open for another card or
    /// method. `message` is the provider's reason, for the buyer.
    Declined {
        payment: Option<PaymentRef>,
        message: String,
    },
    /// The payment was cancelled and can never complete.
    Cancelled { payment: Option<PaymentRef> },
    /// Money went back: the provider's refunds that succeeded, and how much in all was
    /// refunded at the provider.
    Refunded {
        payment: Option<PaymentRef>,
        succeeded_refunds: Vec<String>,
        amount_refunded_paise: i64,
    },
    /// The payment moved on at the provider in a way that needs the provider asked
    /// (Razorpay's `payment.authorized`: the money is held and must be captured).
    Changed { payment: Option<PaymentRef> },
    /// A refund the provider had accepted failed: the money did not go back.
    RefundFailed {
        payment: Option<PaymentRef>,
        refund_reference: String,
    },
    /// A Route transfer to a linked account was processed (Razorpay's
    /// `transfer.processed`). `key` is the marketplace's id of the transfer, from its
    /// notes.
    TransferProcessed {
        reference: String,
        key: Option<Uuid>,
    },
    /// A Route transfer failed (`transfer.failed`): the money stayed with the platform.
    TransferFailed {
        reference: String,
        key: Option<Uuid>,
        message: String,
    },
    /// An event the marketplace does not use.
    Unused,
}

/// A verified webhook delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    /// The provider's event id: each is processed once.
    pub id: String,
    /// The provider's event type, as recorded.
    pub kind: String,
    pub event: PaymentEvent,
}

/// Why a webhook delivery was refused.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("signature: {0}")]
    Signature(String),
    #[error("payload: {0}")]
    Payload(String),
    #[error("this payment provider is not configured")]
    NotConfigured,
    #[error(transparent)]
    Order(#[from] OrderError),
}

/// A transfer of part of a captured payment to a cooperative's linked account.
#[derive(Debug, Clone, Copy)]
pub struct TransferRequest<'a> {
    /// The payment reference stored on the order.
    pub payment_reference: &'a str,
    /// The linked account (`acc_…`).
    pub account: &'a str,
    pub amount_paise: i64,
    /// ISO 4217, e.g. `INR`.
    pub currency: &'a str,
    /// The marketplace's id of the transfer, carried in its notes: a create whose
    /// answer was lost is found by it rather than made again.
    pub key: Uuid,
    /// Held until released (the parcel delivered).
    pub on_hold: bool,
}

/// A transfer as the provider reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderTransfer {
    pub reference: String,
    pub amount_paise: i64,
    pub reversed_paise: i64,
    pub on_hold: bool,
}

/// Transfers to linked accounts (Razorpay Route). Every call is safe to repeat: a
/// create looks its transfer up first, a release sets a value, a reversal reads how
/// much is reversed already.
pub trait TransferGateway: Send + Sync {
    /// Transfers (or finds the transfer already made under `request.key`).
    fn create_transfer<'a>(
        &'a self,
        request: TransferRequest<'a>,
    ) -> GatewayFuture<'a, ProviderTransfer>;

    /// Takes the transfer off hold: the linked account is settled.
    fn release_transfer<'a>(&'a self, reference: &'a str) -> GatewayFuture<'a, ProviderTransfer>;

    /// Reverses the transfer until `total_reversed_paise` of it is reversed in all.
    fn reverse_transfer<'a>(
        &'a self,
        reference: &'a str,
        total_reversed_paise: i64,
    ) -> GatewayFuture<'a, ProviderTransfer>;
}

/// A payment provider: client calls and signature checks, no order logic.
pub trait PaymentGateway: Send + Sync + std::fmt::Debug {
    /// The provider recorded on orders and refunds it settles.
    fn provider(&self) -> PaymentProvider;

    /// The provider's name in messages to people ("Stripe").
    fn display_name(&self) -> &'static str;

    /// Starts (or, with the same idempotency key, finds) the payment of an order.
    fn create_payment<'a>(
        &'a self,
        request: PaymentRequest<'a>,
    ) -> GatewayFuture<'a, ProviderPayment>;

    /// How the payment `reference` stands.
    fn fetch_payment<'a>(&'a self, reference: &'a str) -> GatewayFuture<'a, ProviderPayment>;

    /// Cancels an unpaid payment: afterwards it can never be paid, and its client secret
    /// is useless. The provider refuses (a [`ProviderFailure::Refused`]) a payment that
    /// already succeeded or was already cancelled.
    fn cancel_payment<'a>(&'a self, reference: &'a str) -> GatewayFuture<'a, ProviderPayment>;

    /// Refunds `amount_paise` of the payment `reference`, once per idempotency key.
    fn refund<'a>(
        &'a self,
        reference: &'a str,
        amount_paise: i64,
        idempotency_key: &'a str,
    ) -> GatewayFuture<'a, ProviderRefund>;

    /// Verifies a delivery's signature (`now` in Unix seconds) and reads its event.
    /// `event_id` is the delivery's event id when the provider sends it beside the
    /// body (Razorpay's `X-Razorpay-Event-Id`; Stripe's is in the body).
    fn parse_webhook(
        &self,
        signature: Option<&str>,
        event_id: Option<&str>,
        payload: &[u8],
        now: i64,
    ) -> Result<WebhookEvent, WebhookError>;

    /// Transfers of captured payments to linked accounts, for a provider that has
    /// them (Razorpay Route).
    fn transfers(&self) -> Option<&dyn TransferGateway> {
        None
    }

    /// The public key the buyer's browser opens the provider's checkout with
    /// (Razorpay's key id); None for a provider whose client needs none.
    fn checkout_key(&self) -> Option<&str> {
        None
    }

    /// Verifies the signature a provider's checkout hands the browser after a payment
    /// (Razorpay Checkout's `razorpay_signature`) over the payment `reference` the
    /// marketplace stored and the provider's `payment_id`. A provider without such a
    /// callback refuses every one.
    fn verify_checkout_callback(
        &self,
        reference: &str,
        payment_id: &str,
        signature: &str,
    ) -> Result<(), String> {
        let _ = (reference, payment_id, signature);
        Err(format!("{} has no checkout callback", self.display_name()))
    }
}
