//! The bulk-import reader on any bytes as CSV, and rupee amounts in its cells.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(rows) = catalog::read_import_rows(catalog::ImportFormat::Csv, data) {
        for cell in rows.iter().flatten() {
            if let Ok(paise) = catalog::parse_rupees(cell) {
                assert!(paise >= 0);
            }
        }
    }
});
