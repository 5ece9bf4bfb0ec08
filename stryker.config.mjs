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
  // Static mutants (module-level literals: the zod schemas, the catalog's descriptors) cannot be
  // covered per test, so each would run every selected test; docs/quality.md gives their count.
  ignoreStatic: true,
  concurrency: 2,
  incremental: true,
  incrementalFile: "reports/stryker-incremental.json",
  mutate: [
    "src/snapshot/*.ts",
    "src/alerts/state.ts",
    "src/alerts/router.ts",
    "src/alerts/grouping.ts",
    "src/config/*.ts",
    "src/output/safe-write.ts",
  ],
  jest: {
    projectType: "custom",
    configFile: "jest.config.js",
    config: {
      testMatch: [
        "<rootDir>/test/unit/**/*.test.ts",
        "<rootDir>/test/{analysis,attribution,compare,history,model,trend,exhaustion-trend}.test.ts",
        "<rootDir>/test/{findings-attribution,kit-catalog,qdrant-memory,read-snapshot}.test.ts",
        "<rootDir>/test/{cli-render,source-faults}.test.ts",
        "<rootDir>/test/{alert-state,alert-store,alert-router,alert-grouping,alert-config}.test.ts",
        "<rootDir>/test/{config,safe-write}.test.ts",
      ],
    },
  },
  ignorePatterns: ["/dist", "/dist-bench", "/coverage", "/reports"],
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 90, low: 85, break: 85 },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
