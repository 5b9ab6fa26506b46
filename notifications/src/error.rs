/// What recording or sending a message can fail with.
#[derive(Debug, thiserror::Error)]
pub enum NotificationError {
    #[error("database error: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("rendering a message failed: {0}")]
    Render(#[from] askama::Error),
    #[error("bad mail settings: {0}")]
    Settings(String),
    #[error("building a message failed: {0}")]
    Build(String),
    /// A transactional kind (order news, resets, verification) always goes.
    #[error("{0:?} messages always go; only reminders can be switched off")]
    NotOptional(crate::Kind),
}
