import { execFile } from "node:child_process";
import { repoRoot } from "./repo";

export interface ToolResult {
  code: number;
  output: string;
}

/** The Debian package of each tool the kit's tests run, where it is not named after the tool. */
const PACKAGE_OF: Record<string, string> = {
  promtool: "prometheus",
  amtool: "prometheus-alertmanager",
  "systemd-analyze": "systemd",
};

export function missingToolMessage(command: string): string {
  const debianPackage = PACKAGE_OF[command] ?? command;
  return `${command} is not installed: install the Debian package ${debianPackage} (apt-get install ${debianPackage})`;
}

/** Runs a tool from the repository root and returns its exit code with stdout and stderr together. */
export function runTool(command: string, args: string[]): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd: repoRoot, timeout: 60_000 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      if (error === null) {
        resolve({ code: 0, output });
      } else if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        reject(new Error(missingToolMessage(command)));
      } else if (typeof error.code === "number") {
        resolve({ code: error.code, output });
      } else {
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- execFile's error is an Error; @types/node's Omit<> type hides it
        reject(error);
      }
    });
  });
}
