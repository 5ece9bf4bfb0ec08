// @ts-check
// Lint: typescript-eslint's strict and stylistic type-checked presets. Each rule turned off or
// loosened below fights one of memsnap's deliberate patterns; the line above it says which.
import eslint from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "dist-bench/", "coverage/", "reports/", ".stryker-tmp/"] },
  eslint.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Numbers in messages and file names (`${pid}`, `${bytes} B`) are the norm; nullish and objects still fail.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      // `(err) => reject(err)` and `() => server.close()` are how Node events are wired here.
      "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true }],
      // `T[]` for simple types, `Array<{ … }>` where the element is an object literal or a union.
      "@typescript-eslint/array-type": ["error", { default: "array-simple" }],
      // Heavy modules (koa, systeminformation, pidusage) load with require() only when their command
      // or platform needs them; import() would turn the CommonJS build and ts-jest into ESM.
      "@typescript-eslint/no-require-imports": "off",
      // The only control-character patterns are the ones that replace a hostile file's terminal escapes.
      "no-control-regex": "off",
      // `const { omitted: _omitted, ...rest } = value` is how a field is left out of a copy.
      "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true, varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: {
      // Tests read JSON answers (`await res.json()`) as they come and let expect() check their shape.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      // A test that reaches an element it just asserted on fails loudly anyway if it is missing.
      "@typescript-eslint/no-non-null-assertion": "off",
      // `let daemon: Daemon` is assigned in beforeAll; afterAll's `daemon?.stop()` guards a beforeAll that failed.
      "@typescript-eslint/no-unnecessary-condition": "off",
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  {
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs" },
  },
);
