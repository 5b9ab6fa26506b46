use sea_orm::entity::prelude::*;

use crate::status::{GstRegime, VerificationStatus};

/// One verification, suspension or reinstatement of a cooperative.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cooperative_verifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cooperative_id: Uuid,
    pub from_status: VerificationStatus,
    pub to_status: VerificationStatus,
    /// What was checked: the GSTIN (None for an enrolment), regime, State and FSSAI
    /// licence in force after the decision.
    pub gstin: Option<String>,
    pub gst_regime: GstRegime,
    pub state_code: String,
    pub fssai_licence: Option<String>,
    /// Whether the decision put a pending registration change into effect.
    pub applied_change: bool,
    pub reason: String,
    pub actor_user_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
