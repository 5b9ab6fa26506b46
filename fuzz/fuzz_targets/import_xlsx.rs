//! The bulk-import reader on any bytes as XLSX.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = catalog::read_import_rows(catalog::ImportFormat::Xlsx, data);
});
