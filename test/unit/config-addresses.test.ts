import dns from "node:dns/promises";
import type { LookupAddress } from "node:dns";
import { loadResolvedConfig } from "../../src/config/addresses";
import { HTTP_ONLY_ON_LOOPBACK } from "../../src/config/fields";
import { ConfigError } from "../../src/config/load";
import { configFileWriter } from "../helpers/config";

/** The names this file resolves, as a resolver configured for them would answer. */
const NAMES: Record<string, string[]> = {
  "relay.internal": ["127.0.0.1", "::1"],
  "lan.internal": ["10.0.0.8"],
  "split.internal": ["127.0.0.1", "10.0.0.9"],
};

/** What the resolver answers for a name: its addresses, or getaddrinfo's error. */
function answer(name: string): Promise<LookupAddress[]> {
  const addresses = NAMES[name];
  if (addresses === undefined) {
    return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: "ENOTFOUND" }));
  }
  return Promise.resolve(addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })));
}

beforeEach(() => {
  jest.spyOn(dns, "lookup").mockImplementation(answer as unknown as typeof dns.lookup);
});

afterEach(() => jest.restoreAllMocks());

/** The problems loadResolvedConfig reports for a configuration it must refuse. */
async function refusal(env: Record<string, string>, file?: string): Promise<string[]> {
  const err: unknown = await loadResolvedConfig(env, file).then(
    () => new Error("expected the configuration to be refused"),
    (e: unknown) => e,
  );
  if (err instanceof ConfigError) return err.problems;
  throw err;
}

describe("a plain-http notification URL is judged by the addresses its host name resolves to", () => {
  const { write } = configFileWriter();

  it("accepts the defaults and https URLs without resolving anything", async () => {
    const config = await loadResolvedConfig({
      SLACK_WEBHOOK_URL: "https://hooks.example.com/services/T0",
      MEMSNAP_WEBHOOK_URL: "https://nowhere.invalid/hook",
      MEMSNAP_ALERT_SLACK_SEVERITIES: "critical",
    });
    expect(config.alerting.slack.webhook_url).toBe("https://hooks.example.com/services/T0");
    expect(dns.lookup).not.toHaveBeenCalled();
  });

  it("accepts a name that resolves to loopback addresses only", async () => {
    const config = await loadResolvedConfig({ SLACK_WEBHOOK_URL: "http://relay.internal:9/hook" });
    expect(config.alerting.slack.webhook_url).toBe("http://relay.internal:9/hook");
    expect(dns.lookup).toHaveBeenCalledWith("relay.internal", { all: true });
  });

  it("refuses a name that resolves to an address that is not loopback, naming the setting and the addresses", async () => {
    expect(await refusal({ SLACK_WEBHOOK_URL: "http://lan.internal/services/secret-path" })).toEqual([
      `alerting.slack.webhook_url (SLACK_WEBHOOK_URL): ${HTTP_ONLY_ON_LOOPBACK}; lan.internal resolves to 10.0.0.8`,
    ]);
  });

  it("refuses a name of which one address of several is not loopback", async () => {
    expect(await refusal({ MEMSNAP_WEBHOOK_URL: "http://split.internal/hook" })).toEqual([
      `alerting.webhook.url (MEMSNAP_WEBHOOK_URL): ${HTTP_ONLY_ON_LOOPBACK}; split.internal resolves to 127.0.0.1, 10.0.0.9`,
    ]);
  });

  it("refuses a name that does not resolve, and one that only looks like loopback", async () => {
    expect(
      await refusal({
        SLACK_WEBHOOK_URL: "http://127.evil.test/hook",
        MEMSNAP_WEBHOOK_URL: "http://gone.invalid/hook",
      }),
    ).toEqual([
      `alerting.slack.webhook_url (SLACK_WEBHOOK_URL): ${HTTP_ONLY_ON_LOOPBACK}; 127.evil.test does not resolve (ENOTFOUND)`,
      `alerting.webhook.url (MEMSNAP_WEBHOOK_URL): ${HTTP_ONLY_ON_LOOPBACK}; gone.invalid does not resolve (ENOTFOUND)`,
    ]);
  });

  it("checks the URLs a config file gives, naming them by their setting", async () => {
    const file = write("relay.yaml", "alerting:\n  webhook:\n    url: http://lan.internal:8080/hook\n");
    expect(await refusal({}, file)).toEqual([
      `alerting.webhook.url (MEMSNAP_WEBHOOK_URL): ${HTTP_ONLY_ON_LOOPBACK}; lan.internal resolves to 10.0.0.8`,
    ]);
    const local = write("local.yaml", "alerting:\n  webhook:\n    url: http://relay.internal:8080/hook\n");
    await expect(loadResolvedConfig({}, local)).resolves.toMatchObject({
      alerting: { webhook: { url: "http://relay.internal:8080/hook" } },
    });
  });
});
