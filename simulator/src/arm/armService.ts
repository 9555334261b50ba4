/**
 * The ARM origin: api-version required (MissingApiVersionParameter), bearer validation (§0.2,
 * §6.3), the optional CAE challenge (§7), then the resource providers' routes. Resource Graph
 * shares the origin, as on management.azure.com.
 */
import { isArmAudience } from "../auth/audiences";
import type { AuditEntry } from "../contracts";
import { HttpError } from "../http/errors";
import { queryParam, type SimRequest } from "../http/request";
import { Router, type Reply } from "../http/router";
import { armUnauthorized, bearerToken, checkToken } from "./armAuth";
import { setCaller, type ArmDeps } from "./armContext";
import { registerCompute } from "./compute";
import { registerJit } from "./jit/jitRoutes";
import { registerManagementGroups } from "./managementGroups";
import { registerKeyVault } from "./keyVault";
import { registerNetwork } from "./network";
import { registerAuthorization } from "./pim/pimRoutes";
import { registerResourceGraph } from "./resourceGraph/resourceGraphRoute";
import { registerSubscriptions } from "./subscriptions";

export function armServiceOf(path: string): AuditEntry["service"] {
  if (/\/providers\/Microsoft\.ResourceGraph\//i.test(path)) return "arm.graph";
  if (/\/providers\/Microsoft\.Security\//i.test(path)) return "arm.jit";
  if (/\/providers\/Microsoft\.Authorization\/role(Eligibility|Assignment|Management)/i.test(path)) return "arm.pim";
  return "arm";
}

export class ArmService {
  private readonly router = new Router();
  private caeRemaining: number;
  private readonly caeRegex?: RegExp;

  constructor(private readonly deps: ArmDeps) {
    registerSubscriptions(this.router, deps);
    registerManagementGroups(this.router, deps);
    registerCompute(this.router, deps);
    registerNetwork(this.router, deps);
    registerKeyVault(this.router, deps);
    registerAuthorization(this.router, deps);
    registerJit(this.router, deps);
    registerResourceGraph(this.router, deps);
    this.caeRemaining = deps.settings.caeChallenge?.count ?? 0;
    this.caeRegex = deps.settings.caeChallenge?.pathRegex ? new RegExp(deps.settings.caeChallenge.pathRegex, "i") : undefined;
  }

  /** Arms the CAE switch at run time (tests): the next `count` matching calls get the challenge. */
  armCaeChallenge(count: number): void {
    this.caeRemaining = count;
  }

  async handle(req: SimRequest): Promise<Reply> {
    if (queryParam(req, "api-version") === undefined) {
      throw new HttpError(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
    }
    const login = this.deps.loginOrigin();
    const token = bearerToken(req);
    if (!token) {
      throw armUnauthorized(login, "common", "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.", "The authentication failed because of missing 'Authorization' header.");
    }
    const allowed = `'${this.deps.armOrigin()}, https://management.azure.com, https://management.azure.com/, https://management.core.windows.net, https://management.core.windows.net/'`;
    const check = checkToken(this.deps.key, token, this.deps.clock.now(), (aud) => isArmAudience(aud, this.deps.armOrigin()), allowed);
    if (!check.ok) throw armUnauthorized(login, "common", check.code, check.message, check.description);
    req.audit.principal = check.caller.name;
    setCaller(req, check.caller);
    // CAE's critical event "an administrator revoked the user's sessions": a CAE-capable token issued
    // before the revocation is refused at once; a token without CAE stays valid until it expires.
    const validFrom = check.caller.kind === "user" ? this.deps.tokensValidFrom(check.caller.name) : undefined;
    // `iat` has whole seconds: only tokens from a second before the revocation's are known to predate it.
    const revoked = check.caller.cae && validFrom !== undefined && check.caller.issuedAt < Math.floor(validFrom / 1000) * 1000;
    const switched = this.caeRemaining > 0 && check.caller.cae && (!this.caeRegex || this.caeRegex.test(req.path));
    if (revoked || switched) {
      if (!revoked) this.caeRemaining--;
      req.audit.detail = revoked ? "CAE challenge (sessions revoked)" : "CAE challenge (insufficient_claims)";
      const claims = Buffer.from(JSON.stringify({ access_token: { nbf: { essential: true, value: String(Math.floor(this.deps.clock.now() / 1000)) } } })).toString("base64");
      throw new HttpError(
        401,
        "InvalidAuthenticationToken",
        "The access token has been revoked. Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp",
        { "WWW-Authenticate": `Bearer realm="", authorization_uri="${login}/common/oauth2/authorize", error="insufficient_claims", claims="${claims}"` },
      );
    }
    const m = this.router.match(req.method, req.segments);
    if (m.kind === "found") return m.handler(req, m.params);
    if (m.kind === "methodNotAllowed") throw new HttpError(405, "MethodNotAllowed", `The requested resource does not support http method '${req.method}'.`);
    throw new HttpError(404, "NotFound", `The simulator does not implement ${req.method} ${req.path}.`);
  }
}
