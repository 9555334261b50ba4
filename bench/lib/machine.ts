/** Facts about the machine a run was measured on, so that figures can be compared honestly. */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as os from "node:os";

export interface MachineFacts {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  os: string;
  node: string;
  openssl: string;
  openssh: string;
  esbuild: string;
  virtualization: string;
  hostname: string;
}

function safe(fn: () => string, fallback = "unknown"): string {
  try {
    return fn().trim() || fallback;
  } catch {
    return fallback;
  }
}

export function machineFacts(): MachineFacts {
  const cpus = os.cpus();
  const osRelease = safe(() => /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync("/etc/os-release", "utf8"))?.[1] ?? "");
  return {
    cpuModel: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    os: osRelease,
    node: process.version,
    openssl: process.versions.openssl ?? "unknown",
    // `ssh -V` prints on stderr.
    openssh: safe(() => spawnSync("ssh", ["-V"], { encoding: "utf8" }).stderr),
    esbuild: safe(() => (JSON.parse(readFileSync(require.resolve("esbuild/package.json"), "utf8")) as { version: string }).version),
    virtualization: safe(() => execFileSync("systemd-detect-virt", { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }), safe(() => (/hypervisor/.test(readFileSync("/proc/cpuinfo", "utf8")) ? "virtual machine (hypervisor flag)" : "bare metal?"))),
    hostname: os.hostname(),
  };
}

export function loadAverage(): [number, number, number] {
  const [a, b, c] = os.loadavg();
  return [round2(a ?? 0), round2(b ?? 0), round2(c ?? 0)];
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
