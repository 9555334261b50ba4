import type { SigningKey } from "../auth/signingKey";
import type { SimClock } from "../clock";
import { HttpError } from "../http/errors";
import type { SimRequest } from "../http/request";
import type { LoadedScenario } from "../scenario/resolve";
import type { Directory } from "../world/directory";
import type { Caller, Rbac } from "../world/rbac";
import type { World } from "../world/world";
import type { JitStore } from "./jit/jitStore";
import type { PimStore } from "./pim/pimStore";

/** Power operations on VMs (sshd start/stop); implemented by the VM fleet. */
export interface VmPower {
  /** Starts the VM (power → starting → running, sshd up). Resolves when running. */
  start(vmId: string): Promise<void>;
  stop(vmId: string, state: "stopped" | "deallocated"): Promise<void>;
}

/** Everything ARM handlers need. */
export interface ArmDeps {
  world: World;
  directory: Directory;
  rbac: Rbac;
  pim: PimStore;
  jit: JitStore;
  clock: SimClock;
  key: SigningKey;
  settings: LoadedScenario["simulation"];
  power: VmPower;
  loginOrigin: () => string;
  armOrigin: () => string;
  /** The user's `signInSessionsValidFromDateTime` (revokeSignInSessions), for CAE's critical event. */
  tokensValidFrom: (upn: string) => number | undefined;
}

const callers = new WeakMap<SimRequest, Caller>();

export function setCaller(req: SimRequest, caller: Caller): void {
  callers.set(req, caller);
}

/** The authenticated caller of an ARM request (set by the ARM service before routing). */
export function callerOf(req: SimRequest): Caller {
  const c = callers.get(req);
  if (!c) throw new HttpError(500, "InternalServerError", "Simulator bug: ARM handler reached without an authenticated caller.");
  return c;
}

export function authorizationFailed(caller: Caller, action: string, scope: string): HttpError {
  const who = caller.kind === "user" ? caller.name : caller.appId;
  return new HttpError(
    403,
    "AuthorizationFailed",
    `The client '${who}' with object id '${caller.objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}

/** Throws 403 AuthorizationFailed unless the caller may perform `action` at `scope`. */
export function requireAction(deps: ArmDeps, req: SimRequest, action: string, scope: string): Caller {
  const caller = callerOf(req);
  if (!deps.rbac.can(caller, action, scope)) throw authorizationFailed(caller, action, scope);
  return caller;
}

/**
 * The subscription of a path must exist and belong to the token's tenant: a token from another
 * tenant gets ARM's InvalidAuthenticationTokenTenant (that is how a client learns to switch
 * tenant for a guest subscription).
 */
export function requireSubscription(deps: ArmDeps, req: SimRequest, subscriptionId: string): void {
  const sub = deps.world.subscription(subscriptionId);
  if (!sub) throw new HttpError(404, "SubscriptionNotFound", `The subscription '${subscriptionId}' could not be found.`);
  const caller = callerOf(req);
  if (sub.tenantId.toLowerCase() !== caller.tenantId.toLowerCase()) {
    throw new HttpError(
      401,
      "InvalidAuthenticationTokenTenant",
      `The access token is from the wrong issuer '${deps.loginOrigin()}/${caller.tenantId}/'. It must match the tenant '${deps.loginOrigin()}/${sub.tenantId}/' associated with this subscription. Please use the authority (URL) '${deps.loginOrigin()}/${sub.tenantId}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.`,
      { "WWW-Authenticate": `Bearer authorization_uri="${deps.loginOrigin()}/${sub.tenantId}", error="invalid_token", error_description="The access token is from the wrong issuer."` },
    );
  }
}

export function resourceNotFound(type: string, name: string, rg: string): HttpError {
  return new HttpError(404, "ResourceNotFound", `The Resource '${type}/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
}
