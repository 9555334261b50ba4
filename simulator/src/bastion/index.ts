/** The Bastion native-client data plane (token API + WebSocket tunnel relay); see dataPlane.ts. */
export { startBastionDataPlane } from "./dataPlane";
export type { BastionDataPlane, BastionDataPlaneOptions, BastionAuthority, DataPlaneHooks } from "../contracts";
