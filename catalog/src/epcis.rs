//! A batch's trail as a GS1 EPCIS 2.0 JSON-LD document: one ObjectEvent per provenance
//! event, its business step taken from the Core Business Vocabulary, and the batch as an
//! EPC class with its quantity. The batch has no GTIN yet (cooperatives rarely hold a
//! GS1 company prefix), so the class is this marketplace's own URN; the hash chain and
//! the step details travel as extension fields in the `lm:` namespace.

use chrono::Utc;
use serde_json::{Value, json};

use crate::{EventKind, Provenance};

const EPCIS_CONTEXT: &str = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";
const EXTENSION_NAMESPACE: &str = "https://ladakh-market.example/epcis-extension#";

fn biz_step(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Harvested => "commissioning",
        EventKind::Dried
        | EventKind::Processed
        | EventKind::Spun
        | EventKind::Woven
        | EventKind::Dyed => "transforming",
        EventKind::Sorted | EventKind::Certified => "inspecting",
        EventKind::Packed => "packing",
        EventKind::ShippedToWarehouse => "shipping",
        // CBV has no step for a corrected record; the correction was a check of it.
        EventKind::Corrected => "inspecting",
        EventKind::Voided => "decommissioning",
    }
}

fn location_urn(location: &str) -> String {
    format!(
        "urn:ladakh-market:location:{}",
        crate::slug::slugify(location)
    )
}

/// The EPCIS 2.0 document of a batch.
pub fn epcis_document(provenance: &Provenance) -> Value {
    let batch = &provenance.batch;
    let epc_class = format!(
        "urn:ladakh-market:class:{}:{}",
        provenance.variant.sku, batch.code
    );
    let events: Vec<Value> = provenance
        .events
        .iter()
        .enumerate()
        .map(|(index, event)| {
            let mut object = json!({
                "type": "ObjectEvent",
                "eventID": format!("urn:uuid:{}", event.id),
                "eventTime": event.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "eventTimeZoneOffset": "+00:00",
                "recordTime": event.recorded_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "action": if index == 0 { "ADD" } else { "OBSERVE" },
                "bizStep": biz_step(event.kind),
                "quantityList": [{ "epcClass": epc_class, "quantity": batch.quantity, "uom": "H87" }],
                "readPoint": { "id": location_urn(&event.location) },
                "bizLocation": { "id": location_urn(&event.location) },
                "lm:kind": event.kind.as_str(),
                "lm:location": event.location,
                "lm:notes": event.notes,
                "lm:data": event.data,
                "lm:sequence": event.sequence,
                "lm:previousHash": event.previous_hash,
                "lm:contentHash": event.content_hash,
            });
            if index == 0
                && let Some(map) = object.as_object_mut()
            {
                map.insert(
                    "ilmd".to_owned(),
                    json!({
                        "lm:originVillage": batch.origin_village,
                        "lm:originDistrict": batch.origin_district,
                        "lm:producedOn": batch.produced_on.to_string(),
                        "lm:cooperative": provenance.cooperative.name,
                        "lm:product": provenance.product.title,
                    }),
                );
            }
            object
        })
        .collect();
    json!({
        "@context": [EPCIS_CONTEXT, { "lm": EXTENSION_NAMESPACE }],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "epcisBody": { "eventList": events },
        "lm:batchCode": batch.code,
        "lm:chainIntact": provenance.chain.intact,
    })
}
