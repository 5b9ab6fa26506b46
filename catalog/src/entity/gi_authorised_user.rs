use sea_orm::entity::prelude::*;

use crate::status::AuthorisedUserStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "gi_authorised_users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub gi_tag_id: Uuid,
    pub cooperative_id: Uuid,
    pub au_number: String,
    pub valid_from: Date,
    pub valid_until: Date,
    pub status: AuthorisedUserStatus,
    pub verified_by: Option<Uuid>,
    pub verified_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    /// The expiry date a reminder was sent for (`gi_reminders`).
    pub expiry_reminded_for: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
