use sea_orm::entity::prelude::*;

use crate::status::{GstRegime, TurnoverBand, VerificationStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cooperatives")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub registration_number: String,
    pub registrar: String,
    pub district: String,
    pub village: String,
    pub address_line: String,
    pub pin_code: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub gstin: Option<String>,
    pub gst_regime: GstRegime,
    /// GST State code where the cooperative is registered.
    pub state_code: String,
    pub fssai_licence: Option<String>,
    /// Sets the HSN digits its documents carry.
    pub turnover_band: TurnoverBand,
    pub verification_status: VerificationStatus,
    /// A registration change (GSTIN, regime, State, FSSAI licence) of a verified
    /// cooperative waiting for an admin's verification, as JSON.
    pub pending_registration: Option<Json>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
