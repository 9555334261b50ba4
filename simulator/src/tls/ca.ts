import { execFile } from "node:child_process";
import { existsSync, promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Where the simulator keeps its state unless told otherwise: <repo>/.sim (or $AZSIM_HOME). */
export function defaultSimulatorHome(): string {
  return process.env.AZSIM_HOME ?? path.resolve(__dirname, "..", "..", "..", ".sim");
}

export interface CertificateAuthority {
  certPath: string;
  keyPath: string;
}

export interface ServerCertificate {
  cert: string;
  key: string;
}

/**
 * Creates the simulator's CA once (EC P-256, 10 years) in `<home>/ca/` and reuses it afterwards, so
 * that a `NODE_EXTRA_CA_CERTS` set before a process starts stays valid for every simulator run.
 * Generated with the openssl CLI: Node can verify certificates but cannot issue them.
 */
export async function ensureCa(home = defaultSimulatorHome()): Promise<CertificateAuthority> {
  const dir = path.join(home, "ca");
  const certPath = path.join(dir, "ca.pem");
  const keyPath = path.join(dir, "ca.key");
  if (existsSync(certPath) && existsSync(keyPath)) return { certPath, keyPath };
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  const tmpKey = `${keyPath}.${process.pid}.tmp`;
  const tmpCert = `${certPath}.${process.pid}.tmp`;
  await run("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
    "-keyout", tmpKey, "-out", tmpCert, "-days", "3650",
    "-subj", "/CN=Azure JIT Connect Simulator CA",
    "-addext", "basicConstraints=critical,CA:TRUE",
    "-addext", "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  await fsp.chmod(tmpKey, 0o600);
  // Rename key first: a concurrent caller that sees the cert also finds its key.
  await fsp.rename(tmpKey, keyPath);
  await fsp.rename(tmpCert, certPath);
  return { certPath, keyPath };
}

/** Issues a server certificate for `hosts` (DNS names or IP addresses), signed by the CA. */
export async function issueServerCertificate(ca: CertificateAuthority, hosts: string[]): Promise<ServerCertificate> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "azsim-cert-"));
  try {
    const key = path.join(dir, "server.key");
    const csr = path.join(dir, "server.csr");
    const crt = path.join(dir, "server.crt");
    const ext = path.join(dir, "server.ext");
    const san = hosts.map((h) => (/^[0-9.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(",");
    await fsp.writeFile(ext, `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
    await run("openssl", ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", csr, "-subj", `/CN=${hosts[0] ?? "localhost"}`]);
    await run("openssl", ["x509", "-req", "-in", csr, "-CA", ca.certPath, "-CAkey", ca.keyPath, "-CAcreateserial", "-out", crt, "-days", "825", "-extfile", ext]);
    return { cert: await fsp.readFile(crt, "utf8"), key: await fsp.readFile(key, "utf8") };
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}
