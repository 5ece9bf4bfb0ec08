import { unwatchFile, watchFile } from "node:fs";
import { createServer as createHttpServer, type RequestListener, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { SecureContextOptions, TLSSocket } from "node:tls";
import type { Logger } from "../log";
import {
  readTlsMaterial,
  TLS_VERSIONS,
  type ClientAuthType,
  type TlsMaterial,
  type TlsServerConfig,
  type WebConfig,
} from "./web-config";

/** How often the certificate, key and client CA files are checked for a change. */
const CERTIFICATE_POLL_MS = 2000;

function secureContext(tls: TlsServerConfig, material: TlsMaterial): SecureContextOptions {
  return {
    cert: material.cert,
    key: material.key,
    ca: material.ca,
    minVersion: TLS_VERSIONS[tls.min_version],
    maxVersion: TLS_VERSIONS[tls.max_version],
  };
}

/**
 * Whether a client that completed the handshake may go on, by exporter-toolkit's client_auth_type.
 * RequireAndVerifyClientCert is enforced by the handshake itself.
 */
function clientAllowed(type: ClientAuthType, socket: TLSSocket): boolean {
  const presented = Object.keys(socket.getPeerCertificate()).length > 0;
  if (type === "RequireAnyClientCert") return presented;
  if (type === "VerifyClientCertIfGiven") return !presented || socket.authorized;
  return true;
}

/** The daemon's HTTP or HTTPS server, by the web configuration. */
export interface Listener {
  server: Server;
  scheme: "http" | "https";
  /** Applies a new web configuration's TLS files and versions; false when only a restart can apply it. */
  reload(web: WebConfig | null): boolean;
  close(): void;
}

/**
 * A plain HTTP server without `tls_server_config`, else HTTPS. The certificate, key and client CA
 * files are read again whenever one of them changes, so a renewed certificate (cert-manager,
 * certbot) is served without a restart; a broken renewal is logged and the old one kept.
 */
export function createListener(
  handler: RequestListener,
  web: WebConfig | null,
  webConfigFile: string | undefined,
  log: Logger,
): Listener {
  const tls = web?.tls_server_config;
  if (tls === undefined || webConfigFile === undefined) {
    return {
      server: createHttpServer(handler),
      scheme: "http",
      reload: (next) => next?.tls_server_config === undefined,
      close: () => undefined,
    };
  }
  let current = tls;
  const material = readTlsMaterial(tls, webConfigFile);
  const requestCert = tls.client_auth_type !== "NoClientCert";
  const server = createHttpsServer(
    {
      ...secureContext(tls, material),
      requestCert,
      rejectUnauthorized: tls.client_auth_type === "RequireAndVerifyClientCert",
    },
    handler,
  );
  server.on("secureConnection", (socket: TLSSocket) => {
    if (!clientAllowed(current.client_auth_type, socket)) socket.destroy();
  });
  let watched: string[] = [];
  const apply = (next: TlsServerConfig, reason: string): boolean => {
    try {
      const fresh = readTlsMaterial(next, webConfigFile);
      server.setSecureContext(secureContext(next, fresh));
      current = next;
      watch(fresh.files);
      log.info({ files: fresh.files, reason }, "TLS certificate loaded");
      return true;
    } catch (err) {
      log.error({ err, reason }, "cannot load the TLS certificate; the previous one stays in use");
      return false;
    }
  };
  const onChange = () => void apply(current, "file changed");
  const watch = (files: string[]) => {
    for (const file of watched) unwatchFile(file, onChange);
    watched = files;
    for (const file of files) watchFile(file, { interval: CERTIFICATE_POLL_MS, persistent: false }, onChange);
  };
  watch(material.files);
  return {
    server,
    scheme: "https",
    reload(next) {
      const nextTls = next?.tls_server_config;
      if (nextTls?.client_auth_type !== current.client_auth_type) return false;
      return apply(nextTls, "reload");
    },
    close: () => watch([]),
  };
}
