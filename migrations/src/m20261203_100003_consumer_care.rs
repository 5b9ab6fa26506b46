//! The consumer-care declaration becomes an address, a phone number and an e-mail
//! address (Legal Metrology (Packaged Commodities) Rules 2011, Rule 6(1)(b)).
//!
//! Existing declarations were one line of free text ("care@… / +91 …"). Each is read
//! into the parts it clearly holds: the first e-mail address and the first valid Indian
//! phone number in it, and, since none of them held a postal address, the address of
//! the cooperative's registered office (our reading: the cooperative is the packer
//! whose address the label already carries; it confirms or replaces it). The text is
//! kept as it was under `legacy_text`, so nothing written is lost; a part the text did
//! not hold stays empty, for the cooperative to declare before the listing is next
//! saved as active.
//!
//! The reading is kept here rather than shared with the catalogue's, so that this
//! migration does the same thing however the catalogue's rules change later.

use sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::prelude::*;
use serde_json::{Value, json};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
    Declarations,
}

/// `+91` and ten digits, or a toll-free 1800/1860 number, from a run of digits.
fn phone(text: &str) -> Option<String> {
    let cleaned: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
        .collect();
    let (plus, digits) = match cleaned.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, cleaned.as_str()),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !plus && (digits.starts_with("1800") || digits.starts_with("1860")) {
        return (10..=11).contains(&digits.len()).then(|| digits.to_owned());
    }
    let national = match (plus, digits.len()) {
        (_, 12) => digits.strip_prefix("91")?,
        (false, 11) => digits.strip_prefix('0')?,
        (false, 10) => digits,
        _ => return None,
    };
    matches!(national.as_bytes().first(), Some(b'1'..=b'9')).then(|| format!("+91{national}"))
}

fn email(word: &str) -> Option<String> {
    let (local, domain) = word.split_once('@')?;
    let domain = domain.to_ascii_lowercase();
    (!local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.'))
    .then(|| format!("{local}@{domain}"))
}

/// The structured declaration a line of old text becomes.
fn structured(text: &str, office: Option<String>) -> Value {
    let email = text
        .split(|c: char| c.is_whitespace() || matches!(c, '/' | ',' | ';' | '|'))
        .find_map(email);
    let phone = text
        .split(|c: char| !(c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '+')))
        .find_map(phone);
    json!({ "address": office, "phone": phone, "email": email, "legacy_text": text.trim() })
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT p.id AS id, CAST(p.declarations AS TEXT) AS declarations, \
                 c.address_line AS address_line, c.district AS district, c.pin_code AS pin_code \
                 FROM products p JOIN cooperatives c ON c.id = p.cooperative_id"
                    .to_owned(),
            ))
            .await?;
        for row in rows {
            let id: uuid::Uuid = row.try_get("", "id")?;
            let text: String = row.try_get("", "declarations")?;
            let Ok(Value::Object(mut declarations)) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            let Some(Value::String(care)) = declarations.get("consumer_care").cloned() else {
                continue;
            };
            let address_line: String = row.try_get("", "address_line")?;
            let district: String = row.try_get("", "district")?;
            let pin_code: String = row.try_get("", "pin_code")?;
            let office = Some(format!(
                "{}, {} {}",
                address_line.trim(),
                district.trim(),
                pin_code.trim()
            ))
            .filter(|_| !address_line.trim().is_empty() && pin_code.trim().len() == 6);
            declarations.insert("consumer_care".to_owned(), structured(&care, office));
            manager
                .exec_stmt(
                    Query::update()
                        .table(Products::Table)
                        .value(Products::Declarations, Value::Object(declarations))
                        .and_where(Expr::col(Products::Id).eq(id))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Back to the text as it was written (the catalogue before this migration
        // read only a string).
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT id, CAST(declarations AS TEXT) AS declarations FROM products".to_owned(),
            ))
            .await?;
        for row in rows {
            let id: uuid::Uuid = row.try_get("", "id")?;
            let text: String = row.try_get("", "declarations")?;
            let Ok(Value::Object(mut declarations)) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            let Some(Value::Object(care)) = declarations.get("consumer_care").cloned() else {
                continue;
            };
            let line = care
                .get("legacy_text")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| {
                    ["address", "phone", "email"]
                        .iter()
                        .filter_map(|k| care.get(*k).and_then(Value::as_str))
                        .collect::<Vec<_>>()
                        .join(" / ")
                });
            declarations.insert("consumer_care".to_owned(), Value::String(line));
            manager
                .exec_stmt(
                    Query::update()
                        .table(Products::Table)
                        .value(Products::Declarations, Value::Object(declarations))
                        .and_where(Expr::col(Products::Id).eq(id))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_text_becomes_its_parts_and_is_kept() {
        assert_eq!(
            structured(
                "sham-apricot@example.org / +91 1982 000101",
                Some("Main Road, Sham 194106".into())
            ),
            json!({ "address": "Main Road, Sham 194106", "phone": "+911982000101",
                    "email": "sham-apricot@example.org",
                    "legacy_text": "sham-apricot@example.org / +91 1982 000101" })
        );
        assert_eq!(
            structured("x", None),
            json!({ "address": null, "phone": null, "email": null, "legacy_text": "x" })
        );
    }
}
