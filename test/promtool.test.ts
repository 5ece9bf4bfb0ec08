import { spawnSync } from "node:child_process";
import { startTestDaemon, untilReady, type TestDaemon } from "./helpers/daemon";

describe("the exposition, checked by Prometheus's own promtool", () => {
  let daemon: TestDaemon;

  beforeAll(async () => {
    daemon = await startTestDaemon();
    await untilReady(daemon);
  });

  afterAll(() => daemon?.stop());

  it("passes `promtool check metrics` with no errors or lint problems", async () => {
    const text = await (await fetch(`${daemon.url}/metrics`)).text();
    const result = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
    expect(result.error).toBeUndefined();
    expect({ status: result.status, output: `${result.stdout}${result.stderr}`.trim() }).toEqual({
      status: 0,
      output: "",
    });
  });
});
