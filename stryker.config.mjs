// @ts-check
// Mutation testing of the pure core (docs/quality.md): the snapshot arithmetic, the alert state
// machine and routing, the configuration and the safe writer, against the in-process tests that
// exercise them (tests that drive the built dist/ through a child process cannot see a mutant).
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  packageManager: "npm",
  testRunner: "jest",
  checkers: ["typescript"],
  tsconfigFile: "tsconfig.json",
  coverageAnalysis: "perTest",
  // Eight helpers share two cores: one test runner at a time plus the type checker.
  concurrency: 1,
  incremental: true,
  incrementalFile: "reports/stryker-incremental.json",
  mutate: [
    "src/snapshot/*.ts",
    "!src/snapshot/sampler.ts",
    "src/alerts/state.ts",
    "src/alerts/router.ts",
    "src/config/*.ts",
    "src/output/safe-write.ts",
  ],
  jest: {
    projectType: "custom",
    configFile: "jest.config.js",
    config: {
      testMatch: [
        "<rootDir>/test/{analysis,compare,history,trend,read-snapshot,cli-render,source-faults}.test.ts",
        "<rootDir>/test/{alert-state,alert-store,alert-router,alert-config,config,safe-write}.test.ts",
      ],
    },
  },
  ignorePatterns: ["/dist", "/dist-bench", "/coverage", "/reports", "/grafana", "/prometheus", "/alerts", "/docs"],
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 90, low: 85, break: 85 },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
