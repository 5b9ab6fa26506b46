//! Write transactions. On SQLite a transaction that starts by reading and later writes
//! fails at once (SQLITE_BUSY, not retried by the busy timeout) if another connection
//! wrote meanwhile, so write transactions take the write lock when they begin
//! (`BEGIN IMMEDIATE`) and wait their turn instead. PostgreSQL ignores the mode.

use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};

/// Begins a transaction that will write.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}
