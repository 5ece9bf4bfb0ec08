/** @type {import('jest').Config} */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  // bench/ holds the tests of the benchmark's own pieces; test/ never imports from bench/.
  roots: ["<rootDir>/test", "<rootDir>/bench"],
  testMatch: ["**/*.test.ts"],
  testTimeout: 30000,
};
