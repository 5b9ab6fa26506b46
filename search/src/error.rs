use sea_orm::DbErr;

/// Everything that can go wrong in search.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index error: {0}")]
    Index(String),
    #[error("search backend error: {0}")]
    Backend(String),
    #[error("the search index is in use by another process ({0}); stop it first")]
    Locked(String),
    #[error("document source error: {0}")]
    Source(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(error: tantivy::TantivyError) -> Self {
        match error {
            tantivy::TantivyError::LockFailure(lock, _) => Self::Locked(format!("{lock:?}")),
            other => Self::Index(other.to_string()),
        }
    }
}
