// Prints the closing line CI reads ("N passed, N failed, N skipped") from Jest's own counts.
const { readFileSync, existsSync } = require('node:fs');

const file = process.argv[2];
if (!existsSync(file)) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const result = JSON.parse(readFileSync(file, 'utf8'));
// A suite that fails to load has no failed tests of its own but must still count as a failure.
const brokenSuites = result.testResults.filter(
  (suite) => suite.status === 'failed' && suite.assertionResults.every((t) => t.status !== 'failed'),
).length;
const failed = result.numFailedTests + brokenSuites;
console.log(`${result.numPassedTests} passed, ${failed} failed, ${result.numPendingTests} skipped`);
process.exit(failed > 0 ? 1 : 0);
