import { writeFileSync } from "node:fs";
import path from "node:path";
import { ConfigError, loadConfig } from "../../src/config/load";
import { scratchDir } from "./scratch";

/** The error loadConfig throws for a configuration it must refuse. */
export function configErrorOf(env: Record<string, string>, file?: string): ConfigError {
  try {
    loadConfig(env, file);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected the configuration to be refused");
}

/** The problems loadConfig reports for a configuration it must refuse. */
export function problemsOf(env: Record<string, string>, file?: string): string[] {
  return configErrorOf(env, file).problems;
}

/**
 * A fresh temporary folder for config files, removed after the calling describe block;
 * `write(name, text)` returns the file's path.
 */
export function configFileWriter(): { dir: string; write: (name: string, text: string) => string } {
  const dir = scratchDir("config");
  return {
    dir,
    write(name, text) {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      return file;
    },
  };
}
