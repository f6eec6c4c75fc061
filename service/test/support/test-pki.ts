/**
 * A throwaway certificate authority and one server certificate, made with the openssl CLI, for
 * the private PostgreSQL and Redis servers the IAM tests start: the clients verify them exactly
 * as they verify Aurora's and ElastiCache's (CA bundle, host name).
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface TestPki {
  /** The CA certificate (PEM file), what PGSSLROOTCERT points at. */
  readonly caFile: string;
  readonly caPem: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** A CA and a server certificate for `names` (DNS names; no IP address). */
export function createTestPki(dir: string, names: readonly string[]): TestPki {
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

  // prettier-ignore
  openssl(
    "req", "-x509", ...ecKey, "-keyout", file("ca.key"), "-out", file("ca.pem"),
    "-days", "2", "-subj", "/CN=search test CA",
    "-addext", "basicConstraints=critical,CA:TRUE",
    "-addext", "keyUsage=critical,keyCertSign,cRLSign",
  );
  // prettier-ignore
  openssl(
    "req", ...ecKey, "-keyout", file("server.key"), "-out", file("server.csr"),
    "-subj", `/CN=${names[0]}`,
  );
  writeFileSync(
    file("server.ext"),
    [
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=serverAuth,clientAuth",
      `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}`,
    ].join("\n"),
  );
  // prettier-ignore
  openssl(
    "x509", "-req", "-in", file("server.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"),
    "-CAcreateserial", "-days", "2", "-extfile", file("server.ext"), "-out", file("server.pem"),
  );
  return {
    caFile: file("ca.pem"),
    caPem: readFileSync(file("ca.pem"), "utf8"),
    certFile: file("server.pem"),
    keyFile: file("server.key"),
  };
}
