use sea_orm::entity::prelude::*;

use catalog::GstRegime;

use crate::{DocumentKind, FulfilmentStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "fulfilments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
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
    pub supplier_regime: GstRegime,
    pub document_kind: DocumentKind,
    pub invoice_number: Option<String>,
    pub invoice_date: Option<Date>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub accepted_at: Option<DateTimeUtc>,
    /// Who recorded the acceptance (GeM's CRAC).
    pub accepted_by: Option<Uuid>,
    /// The consignee's provisional receipt (GeM's PRC), and who recorded it.
    pub received_at: Option<DateTimeUtc>,
    pub received_by: Option<Uuid>,
    pub payment_due_at: Option<DateTimeUtc>,
    /// Cash on delivery: what was collected for this fulfilment, when, and the receipt.
    pub cash_collected_paise: i64,
    pub cash_collected_at: Option<DateTimeUtc>,
    pub cash_reference: Option<String>,
    /// The payment due date an overdue reminder was sent for (`reminders`).
    pub overdue_reminded_for: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
