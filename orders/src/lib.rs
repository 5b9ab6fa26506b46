//! Orders: carts, checkout with GST, stock reservations, fulfilment per cooperative
//! with its own GST invoice, the order state machine and its history, payments
//! (manual confirmation, Stripe and Razorpay), refunds, institutional orders with consignees and
//! acceptance, reservation expiry, and cooperatives' settlement statements.
//!
//! Money is integer paise in INR. Every write runs in one database transaction and
//! every status change is a compare-and-set on the row's current status, so replicas
//! of the server can share one database and its background sweeper.
//!
//! Layout, leaves first (no module imports from one that imports from it;
//! `scripts/module-cycles` checks):
//! - vocabulary: `status` (state machines and every stored enum), `payment_method`,
//!   `payee` (payout accounts and bank-transfer instructions),
//!   `address`, `tax`, `shipping`, `time`, `party`, `error`;
//! - data: `entity` (private sea-orm entities), `records` (the typed domain views other
//!   crates get), `store` (row loaders and view assembly every use case reads through),
//!   `history`, `reservations`, `order_state` (status derivation and compare-and-set);
//! - use cases, one per module: `address_book` (saved addresses and their defaults),
//!   `cart`, `checkout` (`input` → pure `plan` → `persist`;
//!   `quote` plans without persisting), `views`, `guest` (access tokens and claiming),
//!   `notices` (the messages order changes send, in their transactions),
//!   `lifecycle`, `release`, `invoices`, `cancellation` (invoice cancellation before
//!   the return is filed, and the filed marker), `notes` (credit and debit notes, with their
//!   reading queries in `notes::queries`), `settlement`, `returns` (GSTR-1 and GSTR-8
//!   exports), `sweeper`, `reminders` (overdue payments), and under
//!   `payments`: `start`, `recording`, `cash`, `payout`, `webhook`, `reconcile`,
//!   `refunds`, `route` (Razorpay Route: linked accounts, commission, each
//!   cooperative's share) and `route_worker` (its durable jobs), all over the
//!   provider-neutral `payments::gateway::PaymentGateway` that `payments::stripe`
//!   and `payments::razorpay` implement (`payments::confirm` takes Razorpay
//!   Checkout's callback).

mod acceptance;
mod address;
mod address_book;
mod cancellation;
pub mod cart;
mod checkout;
mod entity;
mod error;
mod guest;
pub mod history;
mod invoices;
mod lifecycle;
mod notes;
mod notices;
mod order_state;
mod party;
mod payee;
mod payment_method;
mod payments;
mod records;
mod release;
mod reminders;
mod rerate;
mod reservations;
pub mod returns;
mod settlement;
pub mod shipping;
pub mod status;
mod store;
mod sweeper;
pub mod tax;
pub mod tcs;
pub mod time;
mod views;

use std::{sync::Arc, time::Duration};

use sea_orm::DatabaseConnection;

pub use acceptance::{AcceptanceLine, AcceptanceLineInput};
pub use address::{Address, LADAKH_STATE_CODE, STATES, indian_mobile, state_name};
pub use address_book::{
    MAX_LABEL, MAX_SAVED_ADDRESSES, SavedAddress, SavedAddressInput, exactly_one_address,
};
pub use cancellation::{CancelledInvoice, Gstr1Filing};
pub use cart::{Cart, CartChange, CartLine, change_cart, merge_anonymous_cart, view_cart};
pub use checkout::{
    ChannelOrder, CheckoutQuote, ConsigneeInput, ConsigneeItem, DEFAULT_PAYMENT_TERMS_DAYS,
    GEM_PAYMENT_DAYS_AFTER_CRAC, InstitutionalTerms, LineIssue, LineIssueKind, PlaceOrder,
    PlacedOrder, QuoteLine, QuoteParcel, channel_buyer_id,
};
pub use error::OrderError;
pub use guest::{GuestContact, MAX_GUEST_EMAIL, guest_buyer_id};
pub use invoices::{
    DocumentCopy, Invoice, InvoiceCancellation, InvoiceParty, InvoiceRegistration,
    render_invoice_html,
};
pub use lifecycle::ShipmentDetails;
pub use notes::{
    DebitNoteRequest, NoteDocument, TaxNote, TaxNoteLine, queries as note_queries, render_note_html,
};
pub use party::Party;
pub use payee::{
    Collector, PaymentInstructions, PayoutAccount, PayoutAccountInput, is_ifsc, is_vpa,
    parse_payout_account,
};
pub use payment_method::{PaymentMethod, PaymentProvider};
pub use payments::{
    confirm::CheckoutCallback,
    gateway::{
        PaymentEvent, PaymentGateway, PaymentRef, PaymentRequest, PaymentState, ProviderFailure,
        ProviderPayment, ProviderRefund, ProviderTransfer, TransferGateway, TransferRequest,
        WebhookError, WebhookEvent,
    },
    razorpay::{self, RazorpayGateway, RazorpaySettings},
    refunds::RefundRequest,
    route::{MAX_COMMISSION_BPS, RouteAccount, RouteAccountInput, is_linked_account_id},
    route_worker::RouteWorker,
    stripe::{self, StripeGateway, StripeSettings},
    webhook::WebhookOutcome,
};
pub use records::{
    AdminOrderFilter, ConsigneeView, FulfilmentRecord, FulfilmentView, HistoryEntry, OrderFilter,
    OrderLineView, OrderPage, OrderRecord, OrderView, RefundView,
};
pub use settlement::SettlementStatement;
pub use shipping::ShippingRates;
pub use status::{
    ActorRole, CartStatus, DocumentKind, FulfilmentAction, FulfilmentStatus, HistoryStatus,
    LineKind, NoteKind, OrderKind, OrderStatus, RefundStatus, RejectedDisposition,
    ReservationStatus, RouteJobKind, RouteTransferStatus,
};
pub use sweeper::{SweepReport, Sweeper};
pub use tax::RateSchedule;

/// The platform as e-commerce operator (CGST s.52): its legal name and GSTIN, printed
/// on the documents of supplies made through it. Here, beside the settings that carry
/// it, so that the settings do not depend on the invoice module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcommerceOperator {
    pub name: String,
    pub gstin: String,
}

/// Operating settings of the order service.
#[derive(Debug, Clone)]
pub struct OrderSettings {
    /// How long an unpaid card order holds its stock.
    pub reservation_ttl: Duration,
    /// How long an unpaid bank-transfer order (NEFT, IMPS, RTGS or UPI to the payee's
    /// account) holds its stock: the buyer pays from their bank, which takes days.
    pub bank_transfer_reservation_ttl: Duration,
    /// The marketplace's own account, for bank transfers it collects (orders from
    /// several cooperatives, or from one without a payout account).
    pub marketplace_payout: Option<PayoutAccount>,
    /// TCS the platform collects as e-commerce operator, in basis points (50 = 0.5%).
    pub tcs_rate_bp: i64,
    /// The marketplace's commission on Razorpay Route transfers, in basis points of
    /// a fulfilment's taxable value, where a cooperative has none of its own.
    pub commission_bps: i32,
    /// The platform as e-commerce operator (CGST s.52), printed on the documents of
    /// supplies made through it; None prints nothing.
    pub operator: Option<EcommerceOperator>,
    /// Thresholds of the GST return exports (`data/reference/gst_return_policy.json`).
    pub return_policy: returns::ReturnPolicy,
}

impl Default for OrderSettings {
    fn default() -> Self {
        Self {
            reservation_ttl: Duration::from_secs(30 * 60),
            bank_transfer_reservation_ttl: Duration::from_secs(3 * 86_400),
            marketplace_payout: None,
            tcs_rate_bp: 50,
            commission_bps: 0,
            operator: None,
            return_policy: returns::ReturnPolicy::default(),
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
    /// The payment providers configured (none: payments are manual only), at most one
    /// per [`PaymentProvider`].
    pub(crate) gateways: Vec<Arc<dyn PaymentGateway>>,
    /// Where the messages of order changes go (`notices`): users live in `accounts`,
    /// which this crate does not depend on.
    pub(crate) directory: Arc<dyn notifications::Directory>,
}

impl std::fmt::Debug for OrderService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrderService")
            .field("settings", &self.settings)
            .field("gateways", &self.gateways)
            .finish_non_exhaustive()
    }
}

impl OrderService {
    /// The rate table the checkout charges by.
    pub fn rates(&self) -> &RateSchedule {
        &self.rates
    }

    pub fn new(
        db: DatabaseConnection,
        rates: RateSchedule,
        shipping: ShippingRates,
        settings: OrderSettings,
        gateways: Vec<Arc<dyn PaymentGateway>>,
        directory: Arc<dyn notifications::Directory>,
    ) -> Self {
        Self {
            db,
            rates: Arc::new(rates),
            shipping: Arc::new(shipping),
            settings,
            gateways,
            directory,
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
        self.gateway_for(PaymentProvider::Stripe).is_some()
    }

    /// The configured gateway of `provider`, if any (never for the manual provider).
    pub fn gateway_for(&self, provider: PaymentProvider) -> Option<&Arc<dyn PaymentGateway>> {
        self.gateways.iter().find(|g| g.provider() == provider)
    }

    pub fn settings(&self) -> &OrderSettings {
        &self.settings
    }
}
