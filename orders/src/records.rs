//! The order domain's records as other crates see them: typed fields, no database
//! types. Built from the private entities by the store.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::{
    ActorRole, DocumentKind, FulfilmentStatus, HistoryStatus, LineKind, OrderKind, OrderStatus,
    PaymentMethod, PaymentProvider, RefundStatus,
    entity::{consignee, fulfilment, order, order_event, order_line, refund},
};

/// An order's own fields (its fulfilments, lines and history are in [`crate::OrderView`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRecord {
    pub id: Uuid,
    pub number: String,
    pub kind: OrderKind,
    pub status: OrderStatus,
    pub buyer_user_id: Uuid,
    pub buyer_organisation_id: Option<Uuid>,
    pub currency: String,
    pub shipping_address: serde_json::Value,
    pub place_of_supply: String,
    pub goods_paise: i64,
    pub shipping_paise: i64,
    pub taxable_paise: i64,
    pub cgst_paise: i64,
    pub sgst_paise: i64,
    pub utgst_paise: i64,
    pub igst_paise: i64,
    pub total_paise: i64,
    pub refunded_paise: i64,
    pub payment_method: PaymentMethod,
    pub payment_provider: PaymentProvider,
    pub payment_reference: Option<String>,
    pub payment_client_secret: Option<String>,
    pub payment_received_paise: i64,
    pub paid_at: Option<DateTime<Utc>>,
    pub payment_issue: Option<String>,
    /// Why the buyer's last attempt to pay was declined (the order stays payable).
    pub payment_failure: Option<String>,
    /// Bank transfer: whom to pay and what to quote.
    pub payment_instructions: Option<crate::PaymentInstructions>,
    pub reservation_expires_at: Option<DateTime<Utc>>,
    pub purchase_order_number: Option<String>,
    pub gem_contract_number: Option<String>,
    pub payment_terms_days: Option<i32>,
    pub source_channel: Option<String>,
    /// Set on an order placed without an account (guest checkout).
    pub guest_email: Option<String>,
    pub guest_phone: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<order::Model> for OrderRecord {
    fn from(m: order::Model) -> Self {
        Self {
            id: m.id,
            number: m.number,
            kind: m.kind,
            status: m.status,
            buyer_user_id: m.buyer_user_id,
            buyer_organisation_id: m.buyer_organisation_id,
            currency: m.currency,
            shipping_address: m.shipping_address,
            place_of_supply: m.place_of_supply,
            goods_paise: m.goods_paise,
            shipping_paise: m.shipping_paise,
            taxable_paise: m.taxable_paise,
            cgst_paise: m.cgst_paise,
            sgst_paise: m.sgst_paise,
            utgst_paise: m.utgst_paise,
            igst_paise: m.igst_paise,
            total_paise: m.total_paise,
            refunded_paise: m.refunded_paise,
            payment_method: m.payment_method,
            payment_provider: m.payment_provider,
            payment_reference: m.payment_reference,
            payment_client_secret: m.payment_client_secret,
            payment_received_paise: m.payment_received_paise,
            paid_at: m.paid_at,
            payment_issue: m.payment_issue,
            payment_failure: m.payment_failure,
            payment_instructions: m
                .payment_instructions
                .and_then(|v| serde_json::from_value(v).ok()),
            reservation_expires_at: m.reservation_expires_at,
            purchase_order_number: m.purchase_order_number,
            gem_contract_number: m.gem_contract_number,
            payment_terms_days: m.payment_terms_days,
            source_channel: m.source_channel,
            guest_email: m.guest_email,
            guest_phone: m.guest_phone,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// One cooperative's part of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FulfilmentRecord {
    pub id: Uuid,
    pub order_id: Uuid,
    pub cooperative_id: Uuid,
    pub status: FulfilmentStatus,
    pub goods_paise: i64,
    pub shipping_paise: i64,
    pub taxable_paise: i64,
    pub cgst_paise: i64,
    pub sgst_paise: i64,
    pub utgst_paise: i64,
    pub igst_paise: i64,
    pub total_paise: i64,
    pub tcs_paise: i64,
    pub refunded_paise: i64,
    /// The supplier's GST regime when the order was placed.
    pub supplier_regime: catalog::GstRegime,
    pub document_kind: DocumentKind,
    pub invoice_number: Option<String>,
    pub invoice_date: Option<NaiveDate>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub accepted_at: Option<DateTime<Utc>>,
    /// The consignee's provisional receipt (GeM's PRC).
    pub received_at: Option<DateTime<Utc>>,
    pub payment_due_at: Option<DateTime<Utc>>,
    /// Cash on delivery: collected for this fulfilment, and when.
    pub cash_collected_paise: i64,
    pub cash_collected_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<fulfilment::Model> for FulfilmentRecord {
    fn from(m: fulfilment::Model) -> Self {
        Self {
            id: m.id,
            order_id: m.order_id,
            cooperative_id: m.cooperative_id,
            status: m.status,
            goods_paise: m.goods_paise,
            shipping_paise: m.shipping_paise,
            taxable_paise: m.taxable_paise,
            cgst_paise: m.cgst_paise,
            sgst_paise: m.sgst_paise,
            utgst_paise: m.utgst_paise,
            igst_paise: m.igst_paise,
            total_paise: m.total_paise,
            tcs_paise: m.tcs_paise,
            refunded_paise: m.refunded_paise,
            supplier_regime: m.supplier_regime,
            document_kind: m.document_kind,
            invoice_number: m.invoice_number,
            invoice_date: m.invoice_date,
            carrier: m.carrier,
            tracking_number: m.tracking_number,
            accepted_at: m.accepted_at,
            received_at: m.received_at,
            payment_due_at: m.payment_due_at,
            cash_collected_paise: m.cash_collected_paise,
            cash_collected_at: m.cash_collected_at,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLineView {
    pub id: Uuid,
    pub order_id: Uuid,
    pub fulfilment_id: Uuid,
    pub consignee_id: Option<Uuid>,
    pub position: i32,
    pub kind: LineKind,
    pub variant_id: Option<Uuid>,
    pub product_id: Option<Uuid>,
    pub sku: String,
    pub description: String,
    pub hsn: String,
    pub quantity: i32,
    /// GST unit quantity code of `quantity`.
    pub uqc: catalog::Uqc,
    pub pieces_per_unit: i32,
    pub unit_price_paise: i64,
    pub total_paise: i64,
    pub rate_bp: i32,
    pub taxable_paise: i64,
    pub cgst_paise: i64,
    pub sgst_paise: i64,
    pub utgst_paise: i64,
    pub igst_paise: i64,
    pub place_of_supply: String,
}

impl From<order_line::Model> for OrderLineView {
    fn from(m: order_line::Model) -> Self {
        Self {
            id: m.id,
            order_id: m.order_id,
            fulfilment_id: m.fulfilment_id,
            consignee_id: m.consignee_id,
            position: m.position,
            kind: m.kind,
            variant_id: m.variant_id,
            product_id: m.product_id,
            sku: m.sku,
            description: m.description,
            hsn: m.hsn,
            quantity: m.quantity,
            uqc: m.uqc,
            pieces_per_unit: m.pieces_per_unit,
            unit_price_paise: m.unit_price_paise,
            total_paise: m.total_paise,
            rate_bp: m.rate_bp,
            taxable_paise: m.taxable_paise,
            cgst_paise: m.cgst_paise,
            sgst_paise: m.sgst_paise,
            utgst_paise: m.utgst_paise,
            igst_paise: m.igst_paise,
            place_of_supply: m.place_of_supply,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsigneeView {
    pub id: Uuid,
    pub order_id: Uuid,
    pub position: i32,
    pub name: String,
    pub address: serde_json::Value,
    pub state_code: String,
}

impl From<consignee::Model> for ConsigneeView {
    fn from(m: consignee::Model) -> Self {
        Self {
            id: m.id,
            order_id: m.order_id,
            position: m.position,
            name: m.name,
            address: m.address,
            state_code: m.state_code,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundView {
    pub id: Uuid,
    pub order_id: Uuid,
    pub fulfilment_id: Uuid,
    pub amount_paise: i64,
    pub reason: String,
    pub idempotency_key: String,
    pub provider: PaymentProvider,
    pub provider_reference: Option<String>,
    pub status: RefundStatus,
    pub failure_message: Option<String>,
    pub actor_user_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<refund::Model> for RefundView {
    fn from(m: refund::Model) -> Self {
        Self {
            id: m.id,
            order_id: m.order_id,
            fulfilment_id: m.fulfilment_id,
            amount_paise: m.amount_paise,
            reason: m.reason,
            idempotency_key: m.idempotency_key,
            provider: m.provider,
            provider_reference: m.provider_reference,
            status: m.status,
            failure_message: m.failure_message,
            actor_user_id: m.actor_user_id,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// One entry of the append-only history: who, when, from, to, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub id: Uuid,
    pub order_id: Uuid,
    pub fulfilment_id: Option<Uuid>,
    pub from_status: Option<HistoryStatus>,
    pub to_status: HistoryStatus,
    pub actor_user_id: Option<Uuid>,
    pub actor_role: ActorRole,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<order_event::Model> for HistoryEntry {
    fn from(m: order_event::Model) -> Self {
        Self {
            id: m.id,
            order_id: m.order_id,
            fulfilment_id: m.fulfilment_id,
            from_status: m.from_status,
            to_status: m.to_status,
            actor_user_id: m.actor_user_id,
            actor_role: m.actor_role,
            reason: m.reason,
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Clone)]
pub struct FulfilmentView {
    pub fulfilment: FulfilmentRecord,
    pub lines: Vec<OrderLineView>,
    /// Accepted, past its payment due date, and the order is not paid.
    pub payment_overdue: bool,
}

#[derive(Debug, Clone)]
pub struct OrderView {
    pub order: OrderRecord,
    /// All of them, or only the viewing cooperative's.
    pub fulfilments: Vec<FulfilmentView>,
    pub consignees: Vec<ConsigneeView>,
    pub history: Vec<HistoryEntry>,
}

impl OrderView {
    pub fn lines(&self) -> impl Iterator<Item = &OrderLineView> {
        self.fulfilments.iter().flat_map(|f| f.lines.iter())
    }
}

/// Which of a cooperative's orders to list.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub status: Option<FulfilmentStatus>,
    /// Only fulfilments whose payment is overdue.
    pub overdue_only: bool,
}

/// Which orders an admin lists across the marketplace; every part left `None` lets
/// all through.
#[derive(Debug, Clone, Default)]
pub struct AdminOrderFilter {
    pub status: Option<OrderStatus>,
    /// Orders with a fulfilment from this cooperative (shown whole).
    pub cooperative_id: Option<Uuid>,
    /// Placed at or after this instant.
    pub placed_from: Option<DateTime<Utc>>,
    /// Placed before this instant (exclusive, so consecutive ranges never overlap).
    pub placed_to: Option<DateTime<Utc>>,
    pub payment_method: Option<PaymentMethod>,
}

#[derive(Debug, Clone)]
pub struct OrderPage {
    pub orders: Vec<OrderView>,
    pub has_next_page: bool,
    pub total_count: u64,
}
