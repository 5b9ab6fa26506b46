//! Buyer organisations' kinds become a closed set (GeM's buyer kinds, the
//! `BuyerOrganisationKind` enum). Until now the kind was free text, so spellings such as
//! `DEPARTMENT` or `Dept.` may be stored; the enum refuses to load a value outside its
//! set, so every such kind becomes `OTHER` here (the organisation's name keeps what it
//! is, and an admin can tell the kind again). Nothing to undo: the column stays text.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The kinds the enum knows, as stored.
const KINDS: [&str; 9] = [
    "CENTRAL_GOVERNMENT_DEPARTMENT",
    "STATE_GOVERNMENT_DEPARTMENT",
    "UT_GOVERNMENT_DEPARTMENT",
    "CENTRAL_PSU",
    "STATE_PSU",
    "AUTONOMOUS_BODY",
    "LOCAL_BODY",
    "COOPERATIVE",
    "OTHER",
];

#[derive(DeriveIden)]
enum BuyerOrganisations {
    Table,
    Kind,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let update = Query::update()
            .table(BuyerOrganisations::Table)
            .value(BuyerOrganisations::Kind, "OTHER")
            .and_where(Expr::col(BuyerOrganisations::Kind).is_not_in(KINDS))
            .to_owned();
        manager.exec_stmt(update).await
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
    use sea_orm_migration::{MigrationName, MigratorTrait};

    use crate::Migrator;

    #[tokio::test]
    async fn free_text_kinds_become_other_and_known_ones_stay() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        let before = Migrator::migrations()
            .iter()
            .position(|m| m.name() == super::Migration.name())
            .unwrap();
        Migrator::up(&db, Some(u32::try_from(before).unwrap()))
            .await
            .unwrap();
        for (name, kind) in [
            ("SNM Hospital Leh", "DEPARTMENT"),
            ("BSNL", "CENTRAL_PSU"),
            ("Sheep Husbandry, Leh", "Dept. of the UT"),
        ] {
            db.execute_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "INSERT INTO buyer_organisations (id, name, kind, created_at) VALUES (?, ?, ?, '2026-11-01T00:00:00Z')",
                [uuid::Uuid::now_v7().into(), name.into(), kind.into()],
            ))
            .await
            .unwrap();
        }
        Migrator::up(&db, Some(1)).await.unwrap();
        let rows = db
            .query_all_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT name, kind FROM buyer_organisations ORDER BY name",
            ))
            .await
            .unwrap();
        let kinds: Vec<(String, String)> = rows
            .iter()
            .map(|row| {
                (
                    row.try_get::<String>("", "name").unwrap(),
                    row.try_get::<String>("", "kind").unwrap(),
                )
            })
            .collect();
        assert_eq!(
            kinds,
            [
                ("BSNL".to_owned(), "CENTRAL_PSU".to_owned()),
                ("SNM Hospital Leh".to_owned(), "OTHER".to_owned()),
                ("Sheep Husbandry, Leh".to_owned(), "OTHER".to_owned()),
            ]
        );
    }
}
