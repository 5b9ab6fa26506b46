//! A channel's order payload (GeM / NCUI Haat webhook and polling bodies).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(order) = serde_json::from_slice::<connectors::inbound::InboundOrder>(data) {
        let _ = order.buyer.clone().checked("buyer");
        for consignee in &order.consignees {
            let _ = consignee.address.clone().checked("consignee");
        }
    }
});
