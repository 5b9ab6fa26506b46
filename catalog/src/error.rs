use sea_orm::DbErr;

/// Everything that can go wrong in the catalog domain.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cooperative not found")]
    CooperativeNotFound,
    #[error("product not found")]
    ProductNotFound,
    #[error("category not found: {0}")]
    CategoryNotFound(String),
    #[error("{field}: {message}")]
    InvalidInput { field: String, message: String },
    #[error("demo catalog is invalid: {0}")]
    InvalidSeed(String),
    #[error("stored catalog data is corrupt: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}
