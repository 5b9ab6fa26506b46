//! Orders: carts, checkout with GST, stock reservations, fulfilment per cooperative
//! with its own GST invoice, the order state machine and its history, payments
//! (manual confirmation and Stripe), refunds, institutional orders with consignees and
//! acceptance, reservation expiry, and cooperatives' settlement statements.
//!
//! Money is integer paise in INR. Every write runs in one database transaction and
//! every status change is a compare-and-set on the row's current status, so replicas
//! of the server can share one database and its background sweeper.

mod address;
pub mod cart;
mod checkout;
pub mod entity;
mod error;
pub mod history;
mod invoices;
mod lifecycle;
mod party;
mod payment_method;
mod payments;
mod refunds;
mod reservations;
mod settlement;
pub mod shipping;
pub mod status;
pub mod stripe;
mod sweeper;
pub mod tax;
pub mod time;
mod views;

use std::{sync::Arc, time::Duration};

use sea_orm::DatabaseConnection;

pub use address::{Address, STATES, state_name};
pub use cart::{Cart, CartChange, CartLine, change_cart, merge_anonymous_cart, view_cart};
pub use checkout::{
    ChannelOrder, ConsigneeInput, ConsigneeItem, DEFAULT_PAYMENT_TERMS_DAYS, InstitutionalTerms,
    PlaceOrder, PlacedOrder, channel_buyer_id,
};
pub use error::OrderError;
pub use invoices::{Invoice, InvoiceParty, render_invoice_html};
pub use lifecycle::ShipmentDetails;
pub use party::Party;
pub use payment_method::PaymentMethod;
pub use refunds::{RefundRequest, RefundView};
pub use settlement::SettlementStatement;
pub use shipping::ShippingRates;
pub use status::{FulfilmentAction, FulfilmentStatus, OrderStatus};
pub use stripe::{StripeGateway, StripeSettings, WebhookError, WebhookOutcome};
pub use sweeper::{SweepReport, Sweeper};
pub use tax::RateSchedule;
pub use views::{ConsigneeView, FulfilmentView, OrderFilter, OrderLineView, OrderPage, OrderView};

/// GST state code of Ladakh, where the cooperatives supply from unless their GSTIN
/// says otherwise.
pub const LADAKH_STATE_CODE: &str = "38";

/// Operating settings of the order service.
#[derive(Debug, Clone)]
pub struct OrderSettings {
    /// How long an unpaid order holds its stock.
    pub reservation_ttl: Duration,
    /// TCS the platform collects as e-commerce operator, in basis points (50 = 0.5%).
    pub tcs_rate_bp: i64,
}

impl Default for OrderSettings {
    fn default() -> Self {
        Self {
            reservation_ttl: Duration::from_secs(30 * 60),
            tcs_rate_bp: 50,
        }
    }
}

/// The order domain's entry point, shared by every request of a server process.
#[derive(Clone)]
pub struct OrderService {
    pub(crate) db: DatabaseConnection,
    pub(crate) rates: Arc<RateSchedule>,
    pub(crate) shipping: Arc<ShippingRates>,
    pub(crate) settings: OrderSettings,
    pub(crate) stripe: Option<Arc<StripeGateway>>,
}

impl std::fmt::Debug for OrderService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrderService")
            .field("settings", &self.settings)
            .field("stripe", &self.stripe.is_some())
            .finish_non_exhaustive()
    }
}

impl OrderService {
    pub fn new(
        db: DatabaseConnection,
        rates: RateSchedule,
        shipping: ShippingRates,
        settings: OrderSettings,
        stripe: Option<StripeGateway>,
    ) -> Self {
        Self {
            db,
            rates: Arc::new(rates),
            shipping: Arc::new(shipping),
            settings,
            stripe: stripe.map(Arc::new),
        }
    }

    /// The same service over another connection (background workers use their own).
    pub fn with_db(&self, db: DatabaseConnection) -> Self {
        Self { db, ..self.clone() }
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn stripe_enabled(&self) -> bool {
        self.stripe.is_some()
    }

    pub fn settings(&self) -> &OrderSettings {
        &self.settings
    }
}
