/**
 * The raw-relay world: a raw TCP service (bench/support/rawTarget.ts) in its own process, the
 * simulator's Bastion data plane in another (routing the pseudo-VM "raw" to that service), and a
 * broker in the driver minting one session per connection the way the extension's does. No SSH:
 * this shows what the tunnel itself costs, against a plain TCP copy to the same service.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { promises as fsp } from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { requestSession } from "../../src/core/bastion/tokenApi";
import { type BrokerServer, startBrokerServer } from "../../src/core/broker/brokerServer";
import { JitError } from "../../src/core/errors";
import { benchVmId, type SimChildReady } from "../support/simChild";
import { productionBuild, REPO_ROOT } from "./build";
import { type SimProcess, startSimProcess } from "./simProcess";
import { type PortTunnel, startPortTunnel } from "./sshWorld";

export const RAW_HOST = "raw";

export interface RawWorld {
  targetPort: number;
  targetPid: number;
  dataPlane: SimProcess<Extract<SimChildReady, { kind: "dataPlane" }>>;
  broker: BrokerServer;
  tunnelJs: string;
  childEnv: NodeJS.ProcessEnv;
  /** A plain TCP connection to the service (the baseline). */
  connectDirect(): Promise<net.Socket>;
  connectPort(port: number): Promise<net.Socket>;
  startPortTunnel(nodeArgs?: string[]): Promise<PortTunnel>;
  /** `tunnel.js stdio raw` with pipes: what ssh would see as its ProxyCommand. */
  spawnStdio(nodeArgs?: string[]): ChildProcess;
  close(): Promise<void>;
}

export async function startRawWorld(options: { dataPlaneNodeArgs?: string[] } = {}): Promise<RawWorld> {
  const build = await productionBuild();
  const target = spawn(process.execPath, ["--import", "tsx", path.join(REPO_ROOT, "bench/support/rawTarget.ts")], { cwd: REPO_ROOT, stdio: ["pipe", "pipe", "inherit"] });
  const targetPort = await new Promise<number>((resolve, reject) => {
    let out = "";
    target.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("\n")) resolve((JSON.parse(out.split("\n")[0]!) as { port: number }).port);
    });
    target.once("exit", (code) => reject(new Error(`the raw target exited (${code})`)));
  });
  const dataPlane = await startSimProcess({ kind: "dataPlane", targets: { [RAW_HOST]: targetPort } }, { nodeArgs: options.dataPlaneNodeArgs });
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), "ajc-bench-raw-"));
  const xdg = path.join(root, "xdg");
  await fsp.mkdir(xdg, { recursive: true, mode: 0o700 });
  const broker = await startBrokerServer({
    runtimeDir: path.join(xdg, "azure-jit-connect"),
    handler: {
      openSession(host, port, signal) {
        if (host !== RAW_HOST) throw new JitError("VmNotFound", `unknown host ${host}`);
        // The benchmark data plane accepts any token; a real one is the extension's ARM token.
        return requestSession({ endpoint: dataPlane.ready.dnsName, resourceId: benchVmId(host), port, armToken: "bench-token" }, signal);
      },
      getPassword() {
        throw new JitError("NoCredentialSource", "no password here");
      },
    },
  });
  const childEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS, XDG_RUNTIME_DIR: xdg, TMPDIR: root };
  const connect = (port: number): Promise<net.Socket> =>
    new Promise((resolve, reject) => {
      const s = net.connect({ host: "127.0.0.1", port, noDelay: true }, () => resolve(s));
      s.once("error", reject);
    });
  return {
    targetPort,
    targetPid: target.pid ?? 0,
    dataPlane,
    broker,
    tunnelJs: build.tunnelJs,
    childEnv,
    connectDirect: () => connect(targetPort),
    connectPort: connect,
    startPortTunnel: (nodeArgs = []) => startPortTunnel(build.tunnelJs, RAW_HOST, childEnv, [], nodeArgs),
    spawnStdio: (nodeArgs = []) => spawn(process.execPath, [...nodeArgs, build.tunnelJs, "stdio", RAW_HOST, "--port", "22", "--wait-broker", "0"], { env: childEnv, stdio: ["pipe", "pipe", "pipe"] }),
    async close() {
      await broker.close();
      await dataPlane.stop();
      target.stdin?.end();
      if (target.exitCode === null) await new Promise<void>((resolve) => target.once("exit", () => resolve()));
      await fsp.rm(root, { recursive: true, force: true });
    },
  };
}
