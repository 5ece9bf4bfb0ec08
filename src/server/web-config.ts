import { readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

/**
 * The web configuration file of the Prometheus exporter-toolkit (the `--web.config.file` of
 * node_exporter and Prometheus itself): TLS and basic authentication. memsnap reads the keys below;
 * any other key is refused, so a setting that would be ignored is never silently ignored.
 */

export const CLIENT_AUTH_TYPES = [
  "NoClientCert",
  "RequestClientCert",
  "RequireAnyClientCert",
  "VerifyClientCertIfGiven",
  "RequireAndVerifyClientCert",
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

/** exporter-toolkit's names → Node's. */
export const TLS_VERSIONS = { TLS10: "TLSv1", TLS11: "TLSv1.1", TLS12: "TLSv1.2", TLS13: "TLSv1.3" } as const;
type TlsVersionName = keyof typeof TLS_VERSIONS;
const TLS_VERSION_NAMES = Object.keys(TLS_VERSIONS) as TlsVersionName[];

const BCRYPT_HASH = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

const file = (what: string) =>
  z.string({ error: `expected the path of ${what}` }).min(1, `expected the path of ${what}`);
const tlsVersion = z.enum(TLS_VERSION_NAMES, { error: `expected one of ${TLS_VERSION_NAMES.join(", ")}` });

const TlsServerSchema = z
  .strictObject(
    {
      cert_file: file("the server certificate (PEM)"),
      key_file: file("the server's private key (PEM)"),
      client_auth_type: z
        .enum(CLIENT_AUTH_TYPES, { error: `expected one of ${CLIENT_AUTH_TYPES.join(", ")}` })
        .default("NoClientCert"),
      client_ca_file: file("the CA certificates (PEM) that sign client certificates").optional(),
      min_version: tlsVersion.default("TLS12"),
      max_version: tlsVersion.default("TLS13"),
    },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys" ? `memsnap does not support ${issue.keys.join(", ")} here` : undefined,
    },
  )
  .superRefine((tls, ctx) => {
    const verifies =
      tls.client_auth_type === "VerifyClientCertIfGiven" || tls.client_auth_type === "RequireAndVerifyClientCert";
    if (verifies && tls.client_ca_file === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["client_ca_file"],
        message: `client_auth_type ${tls.client_auth_type} needs client_ca_file`,
      });
    }
    if (TLS_VERSION_NAMES.indexOf(tls.min_version) > TLS_VERSION_NAMES.indexOf(tls.max_version)) {
      ctx.addIssue({ code: "custom", path: ["min_version"], message: "min_version is above max_version" });
    }
  });

const WebConfigSchema = z.strictObject(
  {
    tls_server_config: TlsServerSchema.optional(),
    basic_auth_users: z
      .record(
        z
          .string()
          .min(1, "expected a user name")
          .refine((user) => !user.includes(":"), { error: "a user name cannot hold ':'" }),
        z
          .string()
          .regex(BCRYPT_HASH, "expected a bcrypt hash ($2y$…, as `htpasswd -nBC 10 USER` prints after the colon)"),
      )
      .optional(),
  },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `memsnap reads tls_server_config and basic_auth_users only; remove ${issue.keys.join(", ")}`
        : undefined,
  },
);
export type WebConfig = z.infer<typeof WebConfigSchema>;
export type TlsServerConfig = NonNullable<WebConfig["tls_server_config"]>;

export class WebConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid web configuration:\n  ${problems.join("\n  ")}`);
    this.name = "WebConfigError";
  }
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw new WebConfigError([`${file}: cannot read ${what} (${(err as Error).message})`]);
  }
}

/** The TLS material the files name, read now; paths are relative to the web configuration file. */
export interface TlsMaterial {
  cert: string;
  key: string;
  ca: string | undefined;
  files: string[];
}

export function readTlsMaterial(tls: TlsServerConfig, webConfigFile: string): TlsMaterial {
  const resolve = (p: string) => path.resolve(path.dirname(webConfigFile), p);
  const certFile = resolve(tls.cert_file);
  const keyFile = resolve(tls.key_file);
  const caFile = tls.client_ca_file === undefined ? undefined : resolve(tls.client_ca_file);
  return {
    cert: readText(certFile, "the certificate"),
    key: readText(keyFile, "the private key"),
    ca: caFile === undefined ? undefined : readText(caFile, "the client CA certificates"),
    files: [certFile, keyFile, ...(caFile === undefined ? [] : [caFile])],
  };
}

/** Reads and validates the web configuration file, and the TLS files it names (so a bad path fails now). */
export function loadWebConfig(file: string): WebConfig {
  const text = readText(file, "the web configuration file");
  let parsed: unknown;
  try {
    parsed = parseYaml(text) ?? {};
  } catch (err) {
    throw new WebConfigError([`${file}: not valid YAML (${(err as Error).message})`]);
  }
  const result = WebConfigSchema.safeParse(parsed);
  if (!result.success) {
    throw new WebConfigError(result.error.issues.map((i) => `${file}: ${i.path.join(".") || "config"}: ${i.message}`));
  }
  if (result.data.tls_server_config !== undefined) readTlsMaterial(result.data.tls_server_config, file);
  return result.data;
}

/** The web configuration file a configuration names, read and validated; null when it names none. */
export function webConfigOf(config: { web_config_file?: string }): WebConfig | null {
  return config.web_config_file === undefined ? null : loadWebConfig(config.web_config_file);
}
