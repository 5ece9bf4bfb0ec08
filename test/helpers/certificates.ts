import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { request } from "node:https";
import { TLSSocket } from "node:tls";
import path from "node:path";

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: "pipe" });
}

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** A certificate authority made by openssl in `dir`: ca.crt and ca.key. */
export function makeCertificateAuthority(dir: string, name = "ca"): { cert: string; key: string } {
  openssl(
    [
      "req",
      "-x509",
      ...EC_KEY,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.crt`,
      "-days",
      "2",
      "-subj",
      `/CN=memsnap test ${name}`,
    ],
    dir,
  );
  return { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
}

/**
 * A certificate for `name` signed by the authority, valid for 127.0.0.1 and localhost (server) or
 * as a client certificate; returns its files.
 */
export function makeCertificate(
  dir: string,
  ca: { cert: string; key: string },
  name: string,
): { cert: string; key: string } {
  const ext = path.join(dir, `${name}.ext`);
  openssl(["req", ...EC_KEY, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}`], dir);
  writeFileSync(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  openssl(
    [
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      ca.cert,
      "-CAkey",
      ca.key,
      "-CAcreateserial",
      "-out",
      `${name}.crt`,
      "-days",
      "2",
      "-extfile",
      ext,
    ],
    dir,
  );
  return { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
}

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The serial number of the certificate the server presented. */
  serial: string;
}

/** GET over HTTPS trusting `ca`, with optional basic-auth credentials and client certificate. */
export function httpsGet(
  url: string,
  options: { ca: string | Buffer; user?: string; password?: string; cert?: Buffer; key?: Buffer },
): Promise<HttpsAnswer> {
  const auth =
    options.user === undefined
      ? {}
      : { authorization: `Basic ${Buffer.from(`${options.user}:${options.password}`).toString("base64")}` };
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { ca: options.ca, cert: options.cert, key: options.key, headers: auth, agent: false },
      (res) => {
        if (!(res.socket instanceof TLSSocket)) {
          reject(new Error(`${url} answered over a socket that is not TLS`));
          return;
        }
        const serial = res.socket.getPeerCertificate().serialNumber;
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => {
          resolve({ status: res.statusCode!, headers: res.headers, body, serial });
        });
      },
    );
    req.on("error", reject);
    req.end();
  });
}
