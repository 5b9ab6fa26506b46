//! Write transactions. On SQLite a transaction that starts by reading and later writes
//! fails at once (SQLITE_BUSY, not retried by the busy timeout) if another connection
//! wrote meanwhile, so write transactions take the write lock when they begin
//! (`BEGIN IMMEDIATE`) and wait their turn instead. PostgreSQL ignores the mode.

use sea_orm::{
    ConnectionTrait, DatabaseTransaction, DbErr, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};

/// Begins a transaction that will write.
pub async fn begin_write(db: &impl Writer) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// What a use case that writes takes: a connection, or a caller's transaction. It opens
/// its own transaction on it ([`begin_write`]; a savepoint inside a caller's), so that
/// every statement it runs, and the change it records for the search index and the
/// channels, commit together or not at all: a crash between two of them would
/// otherwise leave a price changed that no channel ever hears of.
pub trait Writer:
    ConnectionTrait + TransactionTrait<Transaction = DatabaseTransaction> + Sync
{
}

impl<T> Writer for T where
    T: ConnectionTrait + TransactionTrait<Transaction = DatabaseTransaction> + Sync
{
}
