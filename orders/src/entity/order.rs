use sea_orm::entity::prelude::*;

use crate::{OrderKind, OrderStatus, PaymentMethod, PaymentProvider};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "orders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub number: String,
    pub kind: OrderKind,
    pub status: OrderStatus,
    pub buyer_user_id: Uuid,
    pub buyer_organisation_id: Option<Uuid>,
    pub idempotency_key: String,
    pub request_fingerprint: String,
    pub currency: String,
    pub shipping_address: Json,
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
    pub paid_at: Option<DateTimeUtc>,
    pub payment_issue: Option<String>,
    /// Why the last attempt to pay was declined, while the payment stays open.
    pub payment_failure: Option<String>,
    /// Bank transfer: the payee's account and the reference to quote
    /// ([`crate::PaymentInstructions`]), fixed when the order was placed.
    pub payment_instructions: Option<Json>,
    pub reservation_expires_at: Option<DateTimeUtc>,
    pub purchase_order_number: Option<String>,
    pub gem_contract_number: Option<String>,
    pub payment_terms_days: Option<i32>,
    pub source_channel: Option<String>,
    /// A guest order's contact email (normalised as accounts normalise emails).
    pub guest_email: Option<String>,
    pub guest_phone: Option<String>,
    /// SHA-256 (hex) of the token a guest views the order with.
    pub access_token_hash: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
