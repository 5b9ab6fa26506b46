use sea_orm::entity::prelude::*;

use crate::{Kind, Language};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub idempotency_key: String,
    pub kind: Kind,
    pub recipient: String,
    pub user_id: Option<Uuid>,
    pub language: Language,
    pub subject: String,
    pub html_body: String,
    pub text_body: String,
    pub attachments: Json,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
