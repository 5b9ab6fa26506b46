//! The Legal Metrology net quantity per variant (the pack is what is declared): a number
//! in thousandths and a standard unit.
//!
//! Existing declarations were free text on the product, shown with its first variant's
//! MRP, so each product's text is read into its first variant where it is clearly a
//! number and a unit ("500 g", "1 kg", "1 piece (300 x 75 cm)": words in brackets
//! after it are ignored). Text that is not ("about half a kilo", "x") and the other
//! variants stay undeclared, for the cooperative to declare; the product's text is
//! kept as it was.

use sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ProductVariants {
    Table,
    Id,
    NetQuantityMilli,
    NetQuantityUnit,
}

/// Thousandths in the amount and the unit symbol of a clear "number unit" text.
fn parse_legacy(text: &str) -> Option<(i64, &'static str)> {
    let head = text.split('(').next().unwrap_or_default().trim();
    let mut words = head.split_whitespace();
    let (amount, unit, rest) = (words.next()?, words.next()?, words.next());
    if rest.is_some() {
        return None;
    }
    let unit = match unit.to_ascii_lowercase().as_str() {
        "g" | "gm" | "gms" | "gram" | "grams" => "g",
        "kg" | "kgs" | "kilogram" | "kilograms" => "kg",
        "ml" | "millilitre" | "millilitres" | "milliliter" | "milliliters" => "ml",
        "l" | "litre" | "litres" | "liter" | "liters" | "ltr" => "l",
        "cm" | "cms" | "centimetre" | "centimetres" => "cm",
        "m" | "metre" | "metres" | "meter" | "meters" | "mtr" => "m",
        "piece" | "pieces" | "pcs" | "pc" | "unit" | "units" => "piece",
        _ => return None,
    };
    let (whole, fraction) = amount.split_once('.').unwrap_or((amount, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 3 {
        return None;
    }
    let milli = whole
        .parse::<i64>()
        .ok()?
        .checked_mul(1_000)?
        .checked_add(format!("{fraction:0<3}").parse::<i64>().ok()?)?;
    (1..=1_000_000_000)
        .contains(&milli)
        .then_some((milli, unit))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ProductVariants::Table)
                    .add_column(
                        ColumnDef::new(ProductVariants::NetQuantityMilli)
                            .big_integer()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ProductVariants::Table)
                    .add_column(
                        ColumnDef::new(ProductVariants::NetQuantityUnit)
                            .string()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        // Every variant with its product's declarations as text (on both databases),
        // each product's first variant (ids are UUIDv7, in creation order) first.
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT v.id AS variant_id, v.product_id AS product_id, \
                 CAST(p.declarations AS TEXT) AS declarations \
                 FROM product_variants v JOIN products p ON p.id = v.product_id \
                 ORDER BY v.product_id, v.id"
                    .to_owned(),
            ))
            .await?;
        let mut previous: Option<uuid::Uuid> = None;
        for row in rows {
            let variant_id: uuid::Uuid = row.try_get("", "variant_id")?;
            let product_id: uuid::Uuid = row.try_get("", "product_id")?;
            if previous.replace(product_id) == Some(product_id) {
                continue;
            }
            let declarations: String = row.try_get("", "declarations")?;
            let text = serde_json::from_str::<serde_json::Value>(&declarations)
                .ok()
                .and_then(|d| d.get("net_quantity")?.as_str().map(str::to_owned));
            let Some((milli, unit)) = text.as_deref().and_then(parse_legacy) else {
                continue;
            };
            manager
                .exec_stmt(
                    Query::update()
                        .table(ProductVariants::Table)
                        .value(ProductVariants::NetQuantityMilli, milli)
                        .value(ProductVariants::NetQuantityUnit, unit)
                        .and_where(Expr::col(ProductVariants::Id).eq(variant_id))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            ProductVariants::NetQuantityUnit,
            ProductVariants::NetQuantityMilli,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ProductVariants::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::parse_legacy;

    #[test]
    fn only_clear_declarations_are_read() {
        assert_eq!(parse_legacy("500 g"), Some((500_000, "g")));
        assert_eq!(
            parse_legacy("1 piece (300 x 75 cm)"),
            Some((1_000, "piece"))
        );
        assert_eq!(parse_legacy("1.5 Litres"), Some((1_500, "l")));
        for unclear in ["x", "1", "about 500 g", "0 g"] {
            assert_eq!(parse_legacy(unclear), None, "{unclear}");
        }
    }
}
