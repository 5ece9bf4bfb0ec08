import { readFileSync } from "node:fs";
import path from "node:path";

/** The package version, read once from package.json (the same path from src/ and dist/). */
export const VERSION: string = (
  JSON.parse(readFileSync(path.resolve(__dirname, "../package.json"), "utf8")) as { version: string }
).version;
