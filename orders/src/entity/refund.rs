use sea_orm::entity::prelude::*;

use crate::{PaymentProvider, RefundStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "refunds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
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
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
