// Usage: node audit.mjs <graphql endpoint URL>
// Prints one JSON line per audit ({ id, name, status, reason }) and exits non-zero when
// any audit ends in "warn" (a SHOULD) or "error" (a MUST); "notice" is a MAY left out.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <url>');
  process.exit(2);
}
const results = await auditServer({ url });
let failed = 0;
for (const result of results) {
  const line = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    line.reason = result.reason;
  }
  if (result.status === 'warn' || result.status === 'error') {
    failed += 1;
  }
  console.log(JSON.stringify(line));
}
process.exit(failed === 0 ? 0 : 1);
