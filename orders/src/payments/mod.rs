//! Payments: the provider-neutral use cases (starting a payment after checkout,
//! recording money that arrived, webhooks, reconciliation before expiry, refunds)
//! over the [`gateway::PaymentGateway`] a provider implements.

pub(crate) mod cash;
pub(crate) mod confirm;
pub mod gateway;
pub(crate) mod payout;
pub mod razorpay;
pub(crate) mod reconcile;
pub(crate) mod recording;
pub(crate) mod refunds;
pub(crate) mod route;
pub(crate) mod route_worker;
pub(crate) mod start;
pub mod stripe;
pub(crate) mod webhook;
