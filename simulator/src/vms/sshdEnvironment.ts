import { spawn } from "node:child_process";
import { existsSync, promises as fsp } from "node:fs";
import { hasPerSourcePenalties, parseOpenSshVersion } from "./sshdConfig";

/** What the machine offers for running sshd, detected once per VM host. */
export interface SshdEnvironment {
  sshdPath: string;
  setprivPath: string | undefined;
  disablePerSourcePenalties: boolean;
}

const SETPRIV_CANDIDATES = ["/usr/bin/setpriv", "/bin/setpriv"];

export async function detectSshdEnvironment(sshdPath: string): Promise<SshdEnvironment> {
  if (!existsSync(sshdPath)) {
    throw new Error(`OpenSSH server not found at ${sshdPath}: install it (Debian/Ubuntu: apt-get install openssh-server) to run simulated VMs`);
  }
  if (process.getuid?.() === 0) {
    // As root sshd chroots its pre-auth child into the privilege separation folder and refuses to
    // start without it. Package installs create it at boot; containers often lack it.
    await fsp.mkdir("/run/sshd", { recursive: true, mode: 0o755 });
  }
  const versionText = await outputOf(sshdPath, ["-V"]);
  let setprivPath: string | undefined;
  for (const candidate of SETPRIV_CANDIDATES) {
    if (existsSync(candidate) && (await outputOf(candidate, ["--help"])).includes("--pdeathsig")) {
      setprivPath = candidate;
      break;
    }
  }
  return { sshdPath, setprivPath, disablePerSourcePenalties: hasPerSourcePenalties(parseOpenSshVersion(versionText)) };
}

/** stdout + stderr of a short command, whatever its exit code (`sshd -V` exits non-zero). */
function outputOf(file: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout.on("data", (d: Buffer) => (text += d.toString()));
    child.stderr.on("data", (d: Buffer) => (text += d.toString()));
    child.on("error", () => resolve(text));
    child.on("close", () => resolve(text));
  });
}
