// Prints the closing line CI reads ("N passed, N failed, N skipped") from the runners' own
// counts: Jest's JSON and, when given, Vitest's (the dashboard's component tests), which has
// the same shape. A missing report counts as a failure.
const { readFileSync, existsSync } = require('node:fs');

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    failed += 1;
    continue;
  }
  const result = JSON.parse(readFileSync(file, 'utf8'));
  // A suite that fails to load has no failed tests of its own but must still count as a failure.
  const brokenSuites = result.testResults.filter(
    (suite) => suite.status === 'failed' && suite.assertionResults.every((t) => t.status !== 'failed'),
  ).length;
  passed += result.numPassedTests;
  failed += result.numFailedTests + brokenSuites;
  skipped += result.numPendingTests;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
