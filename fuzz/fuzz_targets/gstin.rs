//! GSTINs (and FSSAI licences) from any text: an answer, never a panic; a GSTIN that is
//! accepted is accepted again unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(gstin) = catalog::identifiers::parse_gstin(&text) {
        assert_eq!(catalog::identifiers::parse_gstin(&gstin).as_deref(), Ok(gstin.as_str()));
        assert_eq!(gstin.len(), 15);
    }
    let _ = catalog::identifiers::parse_fssai_licence(&text);
});
