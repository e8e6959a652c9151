import type { Reporter, TestModule } from 'vitest/node';

/**
 * Adds jest's summary line ("Tests: 3 failed, 35 passed, 38 total") after Vitest's own report,
 * so the root `npm test` (scripts/run-tests.mjs) adds these tests to its total.
 */
export default class CountReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else skipped += 1;
      }
    }
    const parts = [failed ? `${failed} failed` : '', skipped ? `${skipped} skipped` : '', `${passed} passed`].filter(
      Boolean,
    );
    process.stdout.write(`Tests:       ${parts.join(', ')}, ${passed + failed + skipped} total\n`);
  }
}
