use sea_orm::DbErr;

/// Why an upload was refused: each is the uploader's to fix, with its own code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// Not JPEG, PNG or WebP by its content (whatever its name or declared type says).
    #[error("only JPEG, PNG and WebP images are accepted (judged by the file's content)")]
    UnsupportedFormat,
    /// More bytes than the limit; counted while the upload streams in.
    #[error("the file is larger than {max_bytes} bytes")]
    TooLarge { max_bytes: u64 },
    /// More pixels than the limit, by the header, before anything is decoded.
    #[error("the image is {width}×{height} pixels; at most {max_pixels} pixels are accepted")]
    TooManyPixels {
        width: u32,
        height: u32,
        max_pixels: u64,
    },
    /// Truncated or corrupt.
    #[error("the image could not be read: {0}")]
    Unreadable(String),
    /// No file in the request.
    #[error("no file was sent")]
    Missing,
}

/// Everything that can go wrong with media.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error(transparent)]
    Rejected(#[from] Rejection),
    #[error("media not found")]
    NotFound,
    #[error("{0}")]
    Forbidden(String),
    #[error("sign in first")]
    Unauthenticated,
    #[error("alt text: {0}")]
    InvalidAlt(String),
    #[error("media storage: {0}")]
    Storage(String),
    #[error("image processing: {0}")]
    Processing(String),
    #[error("stored media data is corrupt: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl From<kernel::AccessDenied> for MediaError {
    fn from(denied: kernel::AccessDenied) -> Self {
        match denied {
            kernel::AccessDenied::Unauthenticated => Self::Unauthenticated,
            kernel::AccessDenied::Forbidden(message) => Self::Forbidden(message),
        }
    }
}

impl From<object_store::Error> for MediaError {
    fn from(error: object_store::Error) -> Self {
        Self::Storage(error.to_string())
    }
}
