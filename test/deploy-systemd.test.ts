import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { scratchDir } from "./helpers/scratch";
import { repoPath } from "./kit/repo";
import { runTool } from "./kit/tools";

const UNIT = repoPath("deploy/systemd/memsnap.service");
const NODE = "/usr/bin/node";
const MAX_EXPOSURE = 2;

const dir = scratchDir("production-systemd");

/**
 * The unit as a file named memsnap.service in the scratch folder; systemd-analyze checks that
 * ExecStart's program exists, so where Node is not at /usr/bin/node this machine's node stands in.
 */
function unitCopy(text = readFileSync(UNIT, "utf8")): string {
  const file = path.join(dir, "memsnap.service");
  writeFileSync(file, existsSync(NODE) ? text : text.replaceAll(NODE, process.execPath));
  return file;
}

/** systemd-analyze verify: exit 0 is not enough, an ignored key is only a warning. */
async function verify(file: string): Promise<{ code: number; output: string }> {
  return runTool("systemd-analyze", ["verify", file]);
}

const directives = (text: string) => text.split("\n").filter((line) => /^[A-Z]\w*=/.test(line));

describe("deploy/systemd/memsnap.service", () => {
  const text = readFileSync(UNIT, "utf8");

  it("passes systemd-analyze verify without a warning", async () => {
    expect(await verify(unitCopy())).toEqual({ code: 0, output: "" });
  });

  it("would be caught with a misspelt setting", async () => {
    const result = await verify(unitCopy(text.replace("ProtectSystem=strict", "ProtectSytem=strict")));
    expect(result.output).toContain("Unknown key 'ProtectSytem'");
  });

  it(`rates an exposure of at most ${MAX_EXPOSURE} in systemd-analyze security`, async () => {
    const result = await runTool("systemd-analyze", ["security", "--offline=true", unitCopy()]);
    const exposure = Number(/Overall exposure level for memsnap\.service: ([\d.]+)/.exec(result.output)?.[1]);
    expect(exposure).toBeLessThanOrEqual(MAX_EXPOSURE);
  });

  it("reads the database's /proc as its user, with no capability, and keeps the settings that would break that out", () => {
    const lines = directives(text);
    expect(lines).toEqual(
      expect.arrayContaining([
        "User=vectorizer",
        "CapabilityBoundingSet=",
        "NoNewPrivileges=yes",
        "ProtectProc=invisible",
      ]),
    );
    expect(
      lines.filter((l) => /^(RemoveIPC|DynamicUser|MemoryDenyWriteExecute|ProcSubset|AmbientCapabilities=.+)/.test(l)),
    ).toEqual([]);
    expect(text).not.toMatch(/^[^#]*CAP_SYS_PTRACE/m);
    expect(lines).toContain("ExecReload=/bin/kill -HUP $MAINPID");
  });
});
