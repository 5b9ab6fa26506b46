//! Provenance events of a batch (harvested, dried, spun, woven, packed …), append-only
//! and hash-chained: each event stores the hash of the event before it and the hash
//! of its own canonical content, so an edit, a deletion or a reordering of any stored
//! event breaks the chain and is reported by [`verify_chain`].

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, SqlErr,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    Actor, Batch, CatalogError, Cooperative, FieldErrorCode, GiClaim, Product, Variant,
    batches::find_batch_by_code,
    cooperatives::cooperatives_by_ids,
    entity::{batch, provenance_event},
    gi::{attach_authorisations, gi_claims_by_product_ids},
    status::EventKind,
    store::load_product,
    variants::load_variant,
};
use kernel::FieldErrors;

/// The hash a batch's first event points back to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A stored provenance event.
#[derive(Debug, Clone, PartialEq)]
pub struct ProvenanceEvent {
    pub id: Uuid,
    pub batch_id: Uuid,
    pub sequence: i32,
    pub kind: EventKind,
    pub occurred_at: DateTime<Utc>,
    pub location: String,
    pub notes: String,
    pub data: serde_json::Value,
    pub recorded_at: DateTime<Utc>,
    pub previous_hash: String,
    pub content_hash: String,
}

impl TryFrom<provenance_event::Model> for ProvenanceEvent {
    type Error = CatalogError;
    fn try_from(model: provenance_event::Model) -> Result<Self, Self::Error> {
        Ok(Self {
            kind: model.kind,
            id: model.id,
            batch_id: model.batch_id,
            sequence: model.sequence,
            occurred_at: model.occurred_at,
            location: model.location,
            notes: model.notes,
            data: model.data,
            recorded_at: model.recorded_at,
            previous_hash: model.previous_hash,
            content_hash: model.content_hash,
        })
    }
}

/// An event a cooperative records for a batch.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub kind: EventKind,
    pub occurred_at: DateTime<Utc>,
    pub location: String,
    pub notes: String,
    /// Small facts of the step, e.g. `{"moisture_pct": 14}`.
    pub data: serde_json::Value,
}

/// Serialises JSON with object keys sorted at every level, so that equal content
/// always hashes alike whatever order a database or client keeps keys in.
pub fn canonical_json(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let fields: Vec<String> = keys
                .into_iter()
                .map(|key| {
                    let value = map
                        .get(key)
                        .map(canonical_json)
                        .unwrap_or_else(|| "null".to_owned());
                    format!("{}:{value}", serde_json::Value::String(key.clone()))
                })
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        serde_json::Value::Array(items) => {
            format!(
                "[{}]",
                items
                    .iter()
                    .map(canonical_json)
                    .collect::<Vec<_>>()
                    .join(",")
            )
        }
        other => other.to_string(),
    }
}

/// What an event's hash covers.
#[derive(Debug, Clone, Copy)]
pub struct EventContent<'a> {
    pub batch_code: &'a str,
    pub sequence: i32,
    pub kind: EventKind,
    pub occurred_at: DateTime<Utc>,
    pub location: &'a str,
    pub notes: &'a str,
    pub data: &'a serde_json::Value,
    pub previous_hash: &'a str,
}

impl<'a> EventContent<'a> {
    fn of(batch_code: &'a str, event: &'a ProvenanceEvent) -> Self {
        Self {
            batch_code,
            sequence: event.sequence,
            kind: event.kind,
            occurred_at: event.occurred_at,
            location: &event.location,
            notes: &event.notes,
            data: &event.data,
            previous_hash: &event.previous_hash,
        }
    }
}

/// The hash of an event's content and its link to the previous event.
pub fn event_hash(event: EventContent<'_>) -> String {
    let content = serde_json::json!({
        "batch": event.batch_code,
        "sequence": event.sequence,
        "kind": event.kind.as_str(),
        "occurredAt": event.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "location": event.location,
        "notes": event.notes,
        "data": event.data,
        "previousHash": event.previous_hash,
    });
    Sha256::digest(canonical_json(&content).as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The outcome of checking a batch's chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainCheck {
    pub intact: bool,
    /// The first event whose content or link does not match, if any.
    pub first_broken_sequence: Option<i32>,
}

/// Recomputes every hash and link of a batch's events, in sequence order.
pub fn verify_chain(batch_code: &str, events: &[ProvenanceEvent]) -> ChainCheck {
    let mut previous = GENESIS_HASH.to_owned();
    for (index, event) in events.iter().enumerate() {
        let expected_sequence = i32::try_from(index + 1).unwrap_or(i32::MAX);
        let recomputed = event_hash(EventContent::of(batch_code, event));
        if event.sequence != expected_sequence
            || event.previous_hash != previous
            || recomputed != event.content_hash
        {
            return ChainCheck {
                intact: false,
                first_broken_sequence: Some(event.sequence),
            };
        }
        previous = event.content_hash.clone();
    }
    ChainCheck {
        intact: true,
        first_broken_sequence: None,
    }
}

/// A batch's events in sequence order.
pub async fn events_of_batch(
    db: &impl ConnectionTrait,
    batch_id: Uuid,
) -> Result<Vec<ProvenanceEvent>, CatalogError> {
    provenance_event::Entity::find()
        .filter(provenance_event::Column::BatchId.eq(batch_id))
        .order_by_asc(provenance_event::Column::Sequence)
        .all(db)
        .await?
        .into_iter()
        .map(ProvenanceEvent::try_from)
        .collect()
}

/// The events of many batches in one query, each batch's in sequence order.
pub async fn events_by_batch_ids(
    db: &impl ConnectionTrait,
    batch_ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, Vec<ProvenanceEvent>>, CatalogError> {
    let mut by_batch: std::collections::HashMap<Uuid, Vec<ProvenanceEvent>> =
        std::collections::HashMap::new();
    for model in provenance_event::Entity::find()
        .filter(provenance_event::Column::BatchId.is_in(batch_ids.iter().copied()))
        .order_by_asc(provenance_event::Column::Sequence)
        .all(db)
        .await?
    {
        let event = ProvenanceEvent::try_from(model)?;
        by_batch.entry(event.batch_id).or_default().push(event);
    }
    Ok(by_batch)
}

/// Appends an event to a batch's chain. Two writers racing for the same position are
/// told apart by the unique (batch, sequence) index: the loser gets a CONFLICT.
pub async fn add_event(
    db: &impl kernel::Writer,
    actor: &Actor,
    batch_code: &str,
    new: NewEvent,
) -> Result<ProvenanceEvent, CatalogError> {
    in_transaction!(db, |txn| add_event_in(&txn, actor, batch_code, new))
}

// The body of [`add_event`], inside the transaction it opens.
async fn add_event_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    batch_code: &str,
    new: NewEvent,
) -> Result<ProvenanceEvent, CatalogError> {
    let batch = find_batch_by_code(db, batch_code).await?;
    actor.require_manage(batch.cooperative_id)?;
    // Corrections and voids carry their changes and reason, which only their own use
    // cases write; a voided batch's trail is closed.
    if matches!(new.kind, EventKind::Corrected | EventKind::Voided) {
        return Err(CatalogError::invalid(
            "kind",
            FieldErrorCode::NotAllowed,
            "a correction or a void is recorded with batchCorrect or batchVoid, which keep its reason",
        ));
    }
    if batch.voided_at.is_some() {
        return Err(CatalogError::invalid(
            "batchCode",
            FieldErrorCode::NotAllowed,
            format!(
                "batch {} was voided and takes no further events",
                batch.code
            ),
        ));
    }
    append_event(db, &batch, new, actor.user_id()).await
}

pub(crate) async fn append_event(
    db: &impl ConnectionTrait,
    batch: &Batch,
    new: NewEvent,
    recorded_by: Option<Uuid>,
) -> Result<ProvenanceEvent, CatalogError> {
    let events = events_of_batch(db, batch.id).await?;
    let occurred_at = new.occurred_at.trunc_subsecs(0);
    let mut errors = FieldErrors::default();
    if new.location.trim().is_empty() || new.location.chars().count() > 200 {
        errors.push(
            "location",
            FieldErrorCode::Required,
            "location must have 1 to 200 characters",
        );
    }
    if new.notes.chars().count() > 2_000 {
        errors.push(
            "notes",
            FieldErrorCode::OutOfRange,
            "notes must have at most 2000 characters",
        );
    }
    if !new.data.is_object() || canonical_json(&new.data).len() > 4_000 {
        errors.push(
            "data",
            FieldErrorCode::Invalid,
            "data must be a JSON object of at most 4000 bytes",
        );
    }
    if occurred_at > Utc::now() + chrono::Duration::minutes(5) {
        errors.push(
            "occurredAt",
            FieldErrorCode::OutOfRange,
            "an event cannot happen in the future",
        );
    }
    if let Some(last) = events.last()
        && occurred_at < last.occurred_at
    {
        errors.push(
            "occurredAt",
            FieldErrorCode::OutOfRange,
            "events are recorded in the order they happened",
        );
    }
    if occurred_at.date_naive() < batch.produced_on - chrono::Duration::days(400) {
        errors.push(
            "occurredAt",
            FieldErrorCode::OutOfRange,
            "the event is long before the batch's production date",
        );
    }
    errors.finish()?;
    let sequence = events.last().map_or(1, |last| last.sequence + 1);
    let previous_hash = events
        .last()
        .map_or_else(|| GENESIS_HASH.to_owned(), |last| last.content_hash.clone());
    let location = new.location.trim().to_owned();
    let notes = new.notes.trim().to_owned();
    let content_hash = event_hash(EventContent {
        batch_code: &batch.code,
        sequence,
        kind: new.kind,
        occurred_at,
        location: &location,
        notes: &notes,
        data: &new.data,
        previous_hash: &previous_hash,
    });
    let model = provenance_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        batch_id: Set(batch.id),
        sequence: Set(sequence),
        kind: Set(new.kind),
        occurred_at: Set(occurred_at),
        location: Set(location),
        notes: Set(notes),
        data: Set(new.data),
        recorded_by: Set(recorded_by),
        recorded_at: Set(Utc::now()),
        previous_hash: Set(previous_hash),
        content_hash: Set(content_hash),
    };
    match provenance_event::Entity::insert(model)
        .exec_with_returning(db)
        .await
    {
        Ok(inserted) => ProvenanceEvent::try_from(inserted),
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(CatalogError::Conflict(
                "another event was recorded for this batch at the same moment; reload and retry"
                    .to_owned(),
            ))
        }
        Err(error) => Err(error.into()),
    }
}

/// A GI claim as it stood for one batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchGiClaim {
    pub claim: GiClaim,
    /// The GI was in force and the cooperative a verified authorised user on the batch's
    /// production date, and the batch came from inside the GI's area.
    pub valid_for_batch: bool,
}

/// The date in India (UTC+05:30, no daylight saving) of an instant.
fn india_date(at: DateTime<Utc>) -> chrono::NaiveDate {
    chrono::FixedOffset::east_opt(5 * 3600 + 30 * 60).map_or_else(
        || at.date_naive(),
        |ist| at.with_timezone(&ist).date_naive(),
    )
}

/// Whether a batch's record stands as first written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchRecordStatus {
    /// Never corrected nor voided.
    Original,
    /// Corrected at least once (and not voided).
    Corrected,
    /// Withdrawn: no longer sold, no further events, no GI claim.
    Voided,
}

/// A batch's record status, with when and why it last changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRecord {
    pub status: BatchRecordStatus,
    pub changed_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

impl BatchRecord {
    /// The status in plain words, for a buyer holding the pack; `None` for an original
    /// record. Dates are India's.
    pub fn note(&self) -> Option<String> {
        let on = self.changed_at.map_or_else(String::new, |at| {
            format!(" on {}", india_date(at).format("%-d %B %Y"))
        });
        let reason = self
            .reason
            .as_deref()
            .map_or_else(String::new, |r| format!(" The cooperative's reason: {r}"));
        match self.status {
            BatchRecordStatus::Original => None,
            BatchRecordStatus::Corrected => Some(format!(
                "This batch's record was corrected{on}. The correction, with what was changed, is part of the trail below.{reason}"
            )),
            BatchRecordStatus::Voided => Some(format!(
                "This batch was voided{on}: it is withdrawn, no longer sold, and backs no GI claim.{reason}"
            )),
        }
    }

    /// The status the batch row and its chain show: a void wins over corrections, the
    /// latest correction over earlier ones.
    pub fn of(batch: &Batch, events: &[ProvenanceEvent]) -> Self {
        if let Some(voided_at) = batch.voided_at {
            return Self {
                status: BatchRecordStatus::Voided,
                changed_at: Some(voided_at),
                reason: batch.void_reason.clone(),
            };
        }
        match events.iter().rev().find(|e| e.kind == EventKind::Corrected) {
            Some(event) => Self {
                status: BatchRecordStatus::Corrected,
                changed_at: Some(event.occurred_at),
                reason: Some(event.notes.clone()),
            },
            None => Self {
                status: BatchRecordStatus::Original,
                changed_at: None,
                reason: None,
            },
        }
    }
}

/// Everything a buyer learns from a printed batch code.
#[derive(Debug, Clone)]
pub struct Provenance {
    pub batch: Batch,
    pub product: Product,
    pub variant: Variant,
    pub cooperative: Cooperative,
    pub claims: Vec<BatchGiClaim>,
    pub events: Vec<ProvenanceEvent>,
    pub chain: ChainCheck,
    /// Corrected or voided, when and why.
    pub record: BatchRecord,
}

/// Looks up a printed batch code (or a QR value ending in one) and checks its chain.
///
/// A batch is shown as its product and cooperative are (`find_product_for`,
/// `find_cooperative_for`): to the public only when the product is active and its
/// cooperative verified, otherwise to the cooperative's staff and admins; anyone else
/// is told there is no such batch, as for a code that was never printed.
pub async fn verify_provenance(
    db: &impl ConnectionTrait,
    actor: &Actor,
    code: &str,
) -> Result<Provenance, CatalogError> {
    // QR codes carry a URL whose last path segment is the batch code.
    let code = code
        .trim()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let batch = find_batch_by_code(db, code).await?;
    let product = load_product(db, batch.product_id).await?;
    let variant = load_variant(db, batch.variant_id).await?;
    let cooperative = cooperatives_by_ids(db, &[batch.cooperative_id])
        .await?
        .remove(&batch.cooperative_id)
        .ok_or(CatalogError::CooperativeNotFound)?;
    let public = product.status == crate::ProductStatus::Active
        && cooperative.verification_status == crate::VerificationStatus::Verified;
    if !public && !actor.can_manage(cooperative.id) {
        return Err(CatalogError::BatchNotFound);
    }
    let mut claims = gi_claims_by_product_ids(db, &[product.id])
        .await?
        .remove(&product.id)
        .unwrap_or_default();
    attach_authorisations(db, &mut claims, cooperative.id).await?;
    let registrations = crate::gi::authorised_users_of(db, cooperative.id).await?;
    let origin = crate::gi::BatchOrigin {
        code: batch.code.clone(),
        produced_on: batch.produced_on,
        origin_district: batch.origin_district.clone(),
    };
    let claims = claims
        .into_iter()
        .map(|claim| {
            // A voided batch backs no claim, whatever its origin.
            let valid_for_batch = batch.voided_at.is_none()
                && crate::gi::claim_problem(&claim.gi_tag, &registrations, &origin).is_none();
            BatchGiClaim {
                claim,
                valid_for_batch,
            }
        })
        .collect();
    let events = events_of_batch(db, batch.id).await?;
    let chain = verify_chain(&batch.code, &events);
    let record = BatchRecord::of(&batch, &events);
    Ok(Provenance {
        record,
        batch,
        product,
        variant,
        cooperative,
        claims,
        events,
        chain,
    })
}

/// Checks every chain of the database; returns the codes of broken ones.
pub async fn broken_chains(db: &impl ConnectionTrait) -> Result<Vec<String>, CatalogError> {
    let mut broken = Vec::new();
    for model in batch::Entity::find()
        .order_by_asc(batch::Column::Code)
        .all(db)
        .await?
    {
        let events = events_of_batch(db, model.id).await?;
        if !verify_chain(&model.code, &events).intact {
            broken.push(model.code);
        }
    }
    Ok(broken)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chain(length: i32) -> Vec<ProvenanceEvent> {
        let mut events = Vec::new();
        let mut previous = GENESIS_HASH.to_owned();
        for sequence in 1..=length {
            let occurred_at =
                DateTime::from_timestamp(1_750_000_000 + i64::from(sequence) * 3600, 0)
                    .unwrap_or_default();
            let data = json!({ "step": sequence, "b": 2, "a": 1 });
            let hash = event_hash(EventContent {
                batch_code: "LDK-T-1",
                sequence,
                kind: EventKind::Dried,
                occurred_at,
                location: "Garkhon",
                notes: "notes",
                data: &data,
                previous_hash: &previous,
            });
            events.push(ProvenanceEvent {
                id: Uuid::now_v7(),
                batch_id: Uuid::nil(),
                sequence,
                kind: EventKind::Dried,
                occurred_at,
                location: "Garkhon".into(),
                notes: "notes".into(),
                data,
                recorded_at: occurred_at,
                previous_hash: previous.clone(),
                content_hash: hash.clone(),
            });
            previous = hash;
        }
        events
    }

    #[test]
    fn an_untouched_chain_is_intact() {
        assert!(verify_chain("LDK-T-1", &chain(4)).intact);
    }

    #[test]
    fn an_edit_a_deletion_or_a_swap_is_detected() {
        let mut edited = chain(4);
        edited[1].notes = "quietly changed".into();
        assert_eq!(
            verify_chain("LDK-T-1", &edited).first_broken_sequence,
            Some(2)
        );

        let mut deleted = chain(4);
        deleted.remove(1);
        assert!(!verify_chain("LDK-T-1", &deleted).intact);

        let mut swapped = chain(4);
        swapped.swap(1, 2);
        assert!(!verify_chain("LDK-T-1", &swapped).intact);

        let mut other_batch = chain(2);
        other_batch.truncate(2);
        assert!(!verify_chain("LDK-T-2", &other_batch).intact);
    }

    /// Known-answer vector. The canonical bytes and their digest were computed outside
    /// this code, with Python:
    ///   json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    /// then `sha256sum` over those UTF-8 bytes (and hashlib.sha256, which agrees).
    const KNOWN_CANONICAL: &str = r#"{"batch":"LDK-GRK-2026-001","data":{"lot":{"a":null,"z":true},"moisture_pct":14,"trays":[3,1]},"kind":"DRIED","location":"Garkhon rooftops","notes":"Sun-dried 9 days — no sulphur","occurredAt":"2026-07-28T06:30:00Z","previousHash":"0000000000000000000000000000000000000000000000000000000000000000","sequence":1}"#;
    const KNOWN_HASH: &str = "5ee06baf95c01eb25b8f8395b323c3c4aee2ce9b22f484f3faaf81162be96d41";
    /// The next event, linked to the first: {"batch":"LDK-GRK-2026-001","data":{},
    /// "kind":"PACKED","location":"Kargil","notes":"500 g pouches",
    /// "occurredAt":"2026-08-02T10:00:00Z","previousHash":KNOWN_HASH,"sequence":2}.
    const KNOWN_NEXT_HASH: &str =
        "0a88c5e1576eb05fb4dd5e1acf5358700f3859e2115e6168c451c88dd953157d";

    fn known_data() -> serde_json::Value {
        // Keys deliberately out of order: the hash must not depend on it.
        json!({ "trays": [3, 1], "moisture_pct": 14, "lot": { "z": true, "a": null } })
    }

    fn known_event() -> ProvenanceEvent {
        ProvenanceEvent {
            id: Uuid::nil(),
            batch_id: Uuid::nil(),
            sequence: 1,
            kind: EventKind::Dried,
            // Sub-seconds are not part of the hash (seconds precision in RFC 3339).
            occurred_at: DateTime::parse_from_rfc3339("2026-07-28T06:30:00.250Z")
                .unwrap()
                .with_timezone(&Utc),
            location: "Garkhon rooftops".into(),
            notes: "Sun-dried 9 days — no sulphur".into(),
            data: known_data(),
            recorded_at: DateTime::parse_from_rfc3339("2026-07-29T00:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
            previous_hash: GENESIS_HASH.into(),
            content_hash: KNOWN_HASH.into(),
        }
    }

    fn known_next() -> ProvenanceEvent {
        ProvenanceEvent {
            sequence: 2,
            kind: EventKind::Packed,
            occurred_at: DateTime::parse_from_rfc3339("2026-08-02T10:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
            location: "Kargil".into(),
            notes: "500 g pouches".into(),
            data: json!({}),
            previous_hash: KNOWN_HASH.into(),
            content_hash: KNOWN_NEXT_HASH.into(),
            ..known_event()
        }
    }

    const KNOWN_BATCH: &str = "LDK-GRK-2026-001";

    #[test]
    fn the_event_hash_matches_an_independently_computed_vector() {
        let event = known_event();
        let content = EventContent::of(KNOWN_BATCH, &event);
        let canonical = canonical_json(&json!({
            "batch": KNOWN_BATCH,
            "sequence": 1,
            "kind": "DRIED",
            "occurredAt": "2026-07-28T06:30:00Z",
            "location": "Garkhon rooftops",
            "notes": "Sun-dried 9 days — no sulphur",
            "data": known_data(),
            "previousHash": GENESIS_HASH,
        }));
        assert_eq!(canonical, KNOWN_CANONICAL);
        assert_eq!(event_hash(content), KNOWN_HASH);
        let next = known_next();
        assert_eq!(
            event_hash(EventContent::of(KNOWN_BATCH, &next)),
            KNOWN_NEXT_HASH
        );
        assert_eq!(
            verify_chain(KNOWN_BATCH, &[event, next]),
            ChainCheck {
                intact: true,
                first_broken_sequence: None
            }
        );
    }

    #[test]
    fn tampering_with_any_hashed_field_changes_the_hash_and_breaks_the_chain() {
        type Tamper = fn(&mut ProvenanceEvent);
        let tampers: [(&str, Tamper); 7] = [
            ("sequence", |e| e.sequence = 3),
            ("kind", |e| e.kind = EventKind::Harvested),
            ("occurredAt", |e| {
                e.occurred_at += chrono::Duration::seconds(1);
            }),
            ("location", |e| e.location = "Garkhon rooftop".into()),
            ("notes", |e| e.notes.push(' ')),
            (
                "data",
                |e| {
                    e.data = json!({ "moisture_pct": 15, "trays": [3, 1], "lot": { "z": true, "a": null } })
                },
            ),
            ("previousHash", |e| {
                e.previous_hash = format!("1{}", &GENESIS_HASH[1..]);
            }),
        ];
        for (field, tamper) in tampers {
            let mut event = known_event();
            tamper(&mut event);
            assert_ne!(
                event_hash(EventContent::of(KNOWN_BATCH, &event)),
                KNOWN_HASH,
                "{field} is hashed"
            );
            // The stored hash stays the known one, as an edit in the database would leave it.
            assert_eq!(
                verify_chain(KNOWN_BATCH, &[event, known_next()]).first_broken_sequence,
                Some(if field == "sequence" { 3 } else { 1 }),
                "editing {field} is detected"
            );
        }
        // The batch code is hashed too: the same events under another batch do not verify.
        assert_ne!(
            event_hash(EventContent::of("LDK-GRK-2026-002", &known_event())),
            KNOWN_HASH
        );
        assert_eq!(
            verify_chain("LDK-GRK-2026-002", &[known_event(), known_next()]).first_broken_sequence,
            Some(1)
        );
        // A tampered stored hash breaks the link from the next event.
        let mut relinked = known_event();
        relinked.content_hash = KNOWN_NEXT_HASH.into();
        assert!(!verify_chain(KNOWN_BATCH, &[relinked, known_next()]).intact);
        // Fields outside the hash (ids, recording time) do not change it.
        let mut moved = known_event();
        moved.id = Uuid::now_v7();
        moved.recorded_at = Utc::now();
        assert_eq!(
            event_hash(EventContent::of(KNOWN_BATCH, &moved)),
            KNOWN_HASH
        );
    }

    #[test]
    fn key_order_does_not_change_the_hash() {
        assert_eq!(
            canonical_json(&json!({"b": 1, "a": {"d": 2, "c": 3}})),
            r#"{"a":{"c":3,"d":2},"b":1}"#
        );
    }
}
