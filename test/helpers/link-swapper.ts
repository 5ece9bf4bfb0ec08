import { spawn } from "node:child_process";

/**
 * Swaps links in and out of an output folder as fast as it can: a subfolder that is now a
 * folder, now a link outside; links named like exported files (r0.json … r39.json); now and
 * then the folder itself moved away with a link outside in its place.
 */
const SWAPPER = `
const fs = require("fs");
const [out, outside] = process.argv.slice(1);
const attempt = (step) => { try { step(); } catch {} };
attempt(() => fs.mkdirSync(out + "/gone"));
for (let i = 0; ; i++) {
  attempt(() => fs.symlinkSync(outside, out + "/race"));
  attempt(() => fs.unlinkSync(out + "/race"));
  attempt(() => fs.mkdirSync(out + "/race"));
  attempt(() => fs.renameSync(out + "/race", out + "/gone/" + i));
  attempt(() => fs.symlinkSync(outside + "/r" + (i % 40) + ".json", out + "/r" + (i % 40) + ".json"));
  if (i % 500 === 0) {
    attempt(() => fs.renameSync(out, out + ".moved"));
    attempt(() => fs.symlinkSync(outside, out));
    attempt(() => fs.unlinkSync(out));
    attempt(() => fs.renameSync(out + ".moved", out));
  }
}
`;

/** Starts the swapper in a child process; `stop` kills it and waits until it is gone. */
export function startLinkSwapper(out: string, outside: string): { stop(): Promise<void> } {
  const child = spawn(process.execPath, ["-e", SWAPPER, out, outside], { stdio: "ignore" });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return {
    async stop() {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/** The file names the racing exports use: half in a subfolder the swapper turns into a link. */
export function racingExportName(n: number): string {
  return n % 3 === 0 ? `race/r${n % 40}.json` : `r${n % 40}.json`;
}
