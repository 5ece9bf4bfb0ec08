import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import bcrypt from "bcryptjs";
import { stringify } from "yaml";
import { loadWebConfig } from "../src/server/web-config";
import { httpsGet, makeCertificate, makeCertificateAuthority } from "./helpers/certificates";
import { runCli } from "./helpers/cli";
import { startTestDaemon, waitFor, type TestDaemon } from "./helpers/daemon";
import { scratchDir } from "./helpers/scratch";

const dir = scratchDir("production-web-config");
const ca = makeCertificateAuthority(dir);
const server = makeCertificate(dir, ca, "server");
const HASH = bcrypt.hashSync("secret", 4);

function webConfig(name: string, content: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof content === "string" ? content : stringify(content));
  return file;
}

describe("the web configuration file", () => {
  it.each([
    [
      "an unknown top-level key",
      { http_server_config: { http2: true } },
      /reads tls_server_config and basic_auth_users only; remove http_server_config/,
    ],
    [
      "an unknown TLS key",
      { tls_server_config: { cert_file: "a", key_file: "b", cipher_suites: [] } },
      /does not support cipher_suites/,
    ],
    [
      "a password instead of a bcrypt hash",
      { basic_auth_users: { alice: "secret" } },
      /basic_auth_users\.alice: expected a bcrypt hash/,
    ],
    [
      "a verifying client_auth_type without client_ca_file",
      {
        tls_server_config: {
          cert_file: server.cert,
          key_file: server.key,
          client_auth_type: "RequireAndVerifyClientCert",
        },
      },
      /needs client_ca_file/,
    ],
    [
      "an unknown client_auth_type",
      { tls_server_config: { cert_file: server.cert, key_file: server.key, client_auth_type: "Sometimes" } },
      /expected one of NoClientCert/,
    ],
    [
      "an unknown TLS version",
      { tls_server_config: { cert_file: server.cert, key_file: server.key, min_version: "SSL3" } },
      /expected one of TLS10/,
    ],
    [
      "a certificate file that does not exist",
      { tls_server_config: { cert_file: "missing.crt", key_file: server.key } },
      /missing\.crt: cannot read the certificate/,
    ],
    ["YAML that does not parse", "basic_auth_users: [", /not valid YAML/],
  ])("refuses %s with a message naming it", (_what, content, message) => {
    const file = webConfig("bad.yml", content);
    expect(() => loadWebConfig(file)).toThrow(message);
  });

  it("makes `memsnap config check` and `memsnap serve` exit 2 naming the problem", () => {
    const file = webConfig("bad-cli.yml", { basic_auth_users: { alice: "plain" } });
    for (const command of [
      ["config", "check"],
      ["serve", "--port", "0"],
    ]) {
      const result = runCli([...command, "--web.config.file", file], { MEMSNAP_DATA_DIR: path.join(dir, "data-cli") });
      expect(result.status).toBe(2);
      expect(result.stderr).toContain("basic_auth_users.alice: expected a bcrypt hash");
    }
  });
});

describe("a daemon with TLS and basic auth", () => {
  let daemon: TestDaemon | undefined;
  const caPem = readFileSync(ca.cert);

  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
  });

  it("serves a renewed certificate without a restart", async () => {
    const live = { cert: path.join(dir, "live.crt"), key: path.join(dir, "live.key") };
    copyFileSync(server.cert, live.cert);
    copyFileSync(server.key, live.key);
    const file = webConfig("renew.yml", { tls_server_config: { cert_file: live.cert, key_file: live.key } });
    daemon = await startTestDaemon({ MEMSNAP_WEB_CONFIG_FILE: file });
    const first = (await httpsGet(`${daemon.url}/healthz`, { ca: caPem })).serial;
    const renewed = makeCertificate(dir, ca, "renewed");
    copyFileSync(renewed.key, live.key);
    copyFileSync(renewed.cert, live.cert);
    const second = await waitFor(async () => {
      const { serial } = await httpsGet(`${daemon!.url}/healthz`, { ca: caPem });
      return serial !== first ? serial : undefined;
    }, "the renewed certificate");
    expect(second).not.toBe(first);
  });

  it.each([
    ["RequestClientCert", { none: true, trusted: true, stranger: true }],
    ["RequireAnyClientCert", { none: false, trusted: true, stranger: true }],
    ["VerifyClientCertIfGiven", { none: true, trusted: true, stranger: false }],
    ["RequireAndVerifyClientCert", { none: false, trusted: true, stranger: false }],
  ])(
    "with %s, serves clients without a certificate, with a trusted one, with a stranger's: %j",
    async (type, expected) => {
      const clientCa = makeCertificateAuthority(dir, `ca-${type}`);
      const trusted = makeCertificate(dir, clientCa, `trusted-${type}`);
      const strangerCa = makeCertificateAuthority(dir, `stranger-ca-${type}`);
      const stranger = makeCertificate(dir, strangerCa, `stranger-${type}`);
      const file = webConfig(`${type}.yml`, {
        tls_server_config: {
          cert_file: server.cert,
          key_file: server.key,
          client_auth_type: type,
          client_ca_file: clientCa.cert,
        },
      });
      daemon = await startTestDaemon({ MEMSNAP_WEB_CONFIG_FILE: file });
      const served = (client?: { cert: string; key: string }) =>
        httpsGet(`${daemon!.url}/healthz`, {
          ca: caPem,
          ...(client && { cert: readFileSync(client.cert), key: readFileSync(client.key) }),
        }).then(
          (answer) => answer.status === 200,
          () => false,
        );
      expect({ none: await served(), trusted: await served(trusted), stranger: await served(stranger) }).toEqual(
        expected,
      );
    },
  );

  it("lets the API token's bearer write when basic auth is on, and no other bearer read", async () => {
    const token = "production-token-0123456789";
    const file = webConfig("bearer.yml", { basic_auth_users: { alice: HASH } });
    daemon = await startTestDaemon({ MEMSNAP_WEB_CONFIG_FILE: file, MEMSNAP_API_TOKEN: token });
    const get = (authorization: string) =>
      fetch(`${daemon!.url}/api/v1/alerts`, { headers: { authorization } }).then((r) => r.status);
    expect(await get(`Bearer ${token}`)).toBe(200);
    expect(await get("Bearer not-the-token-at-all")).toBe(401);
    expect(await get(`Basic ${Buffer.from("alice:secret").toString("base64")}`)).toBe(200);
    expect(await get(`Basic ${Buffer.from("alice:wrong").toString("base64")}`)).toBe(401);
  });
});
