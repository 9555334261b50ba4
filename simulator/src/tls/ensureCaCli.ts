// Prints the path of the simulator CA certificate, creating the CA on first use.
// Used by scripts/with-sim-ca.mjs before it starts a command with NODE_EXTRA_CA_CERTS set.
import { ensureCa } from "./ca";

ensureCa().then(
  (ca) => process.stdout.write(`${ca.certPath}\n`),
  (e: unknown) => {
    process.stderr.write(`Could not create the simulator CA: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
