import type { Grant } from "../../core/access/grant";
import type { AccessState } from "../../core/access/states";
import { formatRemaining } from "../../core/countdown/countdown";
import type { VmEntry } from "../../core/inventory/loadInventory";
import type { Readiness } from "../../core/inventory/readiness";
import type { Localizer } from "../localizer";
import { escapeMarkdown } from "../markdown";

/**
 * How one VM looks in the tree: the short description, the codicon and its theme colour, the
 * `contextValue` tokens the manifest's menus match, and a Markdown tooltip with every reason. Pure
 * (no `vscode`): it maps what the core decided (readiness, access state, grant) to presentation.
 */

/** A codicon and an optional theme colour id (mapped to ThemeIcon/ThemeColor by the provider). */
export interface IconSpec {
  id: string;
  color?: string;
}

/** The status groups of `azureJit.tree.groupBy = status`, in display order. */
export const STATUS_BUCKETS = ["ready", "pending", "needsAccess", "stopped", "blocked"] as const;
export type StatusBucket = (typeof STATUS_BUCKETS)[number];

export interface VmPresentation {
  description: string;
  icon: IconSpec;
  contextValue: string;
  /** Markdown. */
  tooltip: string;
  /** Waiting for something to change by itself (approval, activation, VM start): worth polling. */
  transitional: boolean;
  bucket: StatusBucket;
}

export interface VmFacts {
  vm: VmEntry;
  /** The access store's state for the VM (`service.accessState`). */
  access: AccessState;
  /** Our running grant, if any (`service.activeGrant`). */
  grant?: Grant;
  /** How a connection would log in (`service.entra.methodFor`); Entra ID needs no stored credential. */
  loginMethod?: "entraId" | "keyVault";
}

export interface PresentationContext {
  l10n: Localizer;
  /** Azure's time (the service's clock), ms since the epoch. */
  now: number;
  /** A local wall-clock time for a tooltip ("14:05"). */
  formatTime: (ms: number) => string;
}

/** Flows that are running right now: the user (or Azure) is in the middle of something. */
const IN_FLIGHT: readonly AccessState["kind"][] = ["readingPolicy", "awaitingInput", "activatingRole", "waitingForRole", "initiatingJit", "waitingForJit"];
/** Readiness statuses that no access request can fix. */
const STRUCTURAL: readonly Readiness["status"][] = ["unsupportedOs", "noRole", "noBastion", "bastionNoNativeClient", "noJitPolicy"];

const ICONS = {
  ready: { id: "pass-filled", color: "testing.iconPassed" },
  needsAccess: { id: "unlock" },
  expired: { id: "unlock", color: "list.warningForeground" },
  failed: { id: "unlock", color: "list.errorForeground" },
  pending: { id: "watch", color: "charts.yellow" },
  busy: { id: "loading~spin" },
  blocked: { id: "circle-slash", color: "errorForeground" },
  stopped: { id: "debug-stop", color: "disabledForeground" },
  windows: { id: "window" },
} satisfies Record<string, IconSpec>;

interface Look {
  text: string;
  icon: IconSpec;
  bucket: StatusBucket;
  transitional: boolean;
}

export function presentVm(facts: VmFacts, ctx: PresentationContext): VmPresentation {
  const look = lookOf(facts, ctx);
  const hint = facts.loginMethod === "entraId" ? ctx.l10n.t("Entra ID login") : credentialHint(facts.vm.readiness, ctx.l10n);
  return {
    description: hint && look.bucket !== "blocked" ? `${look.text} · ${hint}` : look.text,
    icon: look.icon,
    contextValue: contextValueOf(facts, ctx.now),
    tooltip: tooltipOf(facts, look, ctx),
    transitional: look.transitional,
    bucket: look.bucket,
  };
}

/** Time left on the VM's access: our grant, else what Azure shows as active (role and JIT window). */
export function accessEndsAt(facts: VmFacts): number | undefined {
  if (facts.grant) return facts.grant.expiresAt;
  const r = facts.vm.readiness;
  if (r.status !== "ready") return undefined;
  const ends = [r.role.endsAt, r.jit.endsAt].filter((x): x is number => x !== undefined);
  return ends.length > 0 ? Math.min(...ends) : undefined;
}

function lookOf(facts: VmFacts, ctx: PresentationContext): Look {
  const { l10n } = ctx;
  const r = facts.vm.readiness;
  const kind = facts.access.kind;
  if (kind === "pendingApproval" || (r.status === "pendingApproval" && !IN_FLIGHT.includes(kind))) {
    return { text: l10n.t("pending approval"), icon: ICONS.pending, bucket: "pending", transitional: true };
  }
  if (IN_FLIGHT.includes(kind)) return { text: l10n.t("requesting access…"), icon: ICONS.busy, bucket: "pending", transitional: true };
  if (kind === "extending") return { text: l10n.t("extending access…"), icon: ICONS.busy, bucket: "ready", transitional: true };
  if (kind === "deactivating") return { text: l10n.t("deactivating…"), icon: ICONS.busy, bucket: "ready", transitional: true };

  switch (r.status) {
    case "ready": {
      const endsAt = accessEndsAt(facts);
      const text = endsAt === undefined ? l10n.t("ready") : l10n.t("ready · {0} left", formatRemaining(endsAt - ctx.now));
      return { text, icon: ICONS.ready, bucket: "ready", transitional: false };
    }
    case "unsupportedOs":
      return { text: l10n.t("Windows: no SSH"), icon: ICONS.windows, bucket: "blocked", transitional: false };
    case "noRole":
      return { text: l10n.t("no eligible role"), icon: ICONS.blocked, bucket: "blocked", transitional: false };
    case "noBastion":
      return { text: l10n.t("no Bastion path"), icon: ICONS.blocked, bucket: "blocked", transitional: false };
    case "bastionNoNativeClient":
      return { text: l10n.t("Bastion can't tunnel"), icon: ICONS.blocked, bucket: "blocked", transitional: false };
    case "noJitPolicy":
      return { text: l10n.t("no JIT policy"), icon: ICONS.blocked, bucket: "blocked", transitional: false };
    case "notRunning":
      return r.power === "starting"
        ? { text: l10n.t("starting…"), icon: ICONS.busy, bucket: "stopped", transitional: true }
        : { text: l10n.t("stopped"), icon: ICONS.stopped, bucket: "stopped", transitional: r.power === "stopping" || r.power === "deallocating" };
    case "expired":
      return { text: l10n.t("access expired"), icon: ICONS.expired, bucket: "needsAccess", transitional: false };
    case "pendingApproval":
    case "needsAccess":
      break;
  }
  // Needs access: say what the request will involve, or how the last one ended.
  if (kind === "denied") return { text: l10n.t("request denied"), icon: ICONS.failed, bucket: "needsAccess", transitional: false };
  if (kind === "failed") return { text: l10n.t("request failed"), icon: ICONS.failed, bucket: "needsAccess", transitional: false };
  if (kind === "timedOut") return { text: l10n.t("request timed out"), icon: ICONS.failed, bucket: "needsAccess", transitional: false };
  if (kind === "expired") return { text: l10n.t("access expired"), icon: ICONS.expired, bucket: "needsAccess", transitional: false };
  const n = r.needs;
  const text = n.mfa || n.authenticationContext ? l10n.t("MFA required") : n.approval ? l10n.t("needs approval") : n.pim ? l10n.t("needs PIM") : l10n.t("needs JIT");
  return { text, icon: ICONS.needsAccess, bucket: "needsAccess", transitional: false };
}

function credentialHint(r: Readiness, l10n: Localizer): string | undefined {
  if (r.credential.source === "unknown") return l10n.t("no credential");
  if (r.credential.source === "invalid") return l10n.t("credential tag invalid");
  return undefined;
}

/** Which Key Vault secret a connection reads and as whom, and whether the tag or the user's choice said so. */
function credentialLine(r: Readiness, l10n: Localizer): string | undefined {
  const c = r.credential;
  if ((c.source !== "tag" && c.source !== "remembered") || !c.secretUri) return undefined;
  let vault: string;
  let secret: string;
  try {
    const url = new URL(c.secretUri);
    vault = url.hostname.split(".")[0] ?? url.hostname;
    secret = decodeURIComponent(url.pathname.split("/")[2] ?? "");
  } catch {
    return undefined;
  }
  const user = c.username ? escapeMarkdown(c.username) : l10n.t("(user not set)");
  return c.source === "tag"
    ? l10n.t("Credential: secret {0} in vault {1} (VM tag), user {2}.", escapeMarkdown(secret), escapeMarkdown(vault), user)
    : l10n.t("Credential: secret {0} in vault {1} (your choice), user {2}.", escapeMarkdown(secret), escapeMarkdown(vault), user);
}

/**
 * `vm;os:<linux|windows>;ssh:<yes|no>;grant:<active|pending|none>;role:<active|none>;power:<running|stopped>;blocked:<yes|no>;`
 * Every token is followed by `;`, so menus match `;token:value;` without ambiguity.
 */
export function contextValueOf(facts: VmFacts, now: number): string {
  const r = facts.vm.readiness;
  const kind = facts.access.kind;
  const os = r.os === "Windows" ? "windows" : "linux";
  const pending = kind === "pendingApproval" || IN_FLIGHT.includes(kind) || r.status === "pendingApproval" || r.grant?.state === "inProgress";
  const active = (facts.grant !== undefined && facts.grant.expiresAt > now) || r.status === "ready" || kind === "extending";
  const grant = pending ? "pending" : active ? "active" : "none";
  const power = r.power === "running" || r.power === "starting" ? "running" : "stopped";
  const blocked = STRUCTURAL.includes(r.status) ? "yes" : "no";
  return `vm;os:${os};ssh:${os === "windows" ? "no" : "yes"};grant:${grant};role:${r.role.state === "active" ? "active" : "none"};power:${power};blocked:${blocked};`;
}

function tooltipOf(facts: VmFacts, look: Look, ctx: PresentationContext): string {
  const { vm } = facts;
  const { l10n } = ctx;
  const r = vm.readiness;
  const where = [vm.subscriptionName ?? vm.subscriptionId, vm.resourceGroup].map(escapeMarkdown).join(" › ");
  const facts2 = [r.os === "unknown" ? undefined : r.os, vm.privateIp, vm.vmSize].filter((x): x is string => !!x).map(escapeMarkdown);
  const lines = [`**${escapeMarkdown(vm.name)}** — ${escapeMarkdown(look.text)}`, "", `${where}${facts2.length > 0 ? ` · ${facts2.join(" · ")}` : ""}`, ""];
  // With Entra ID login a missing Key Vault credential is no problem: that reason is left out.
  const entra = facts.loginMethod === "entraId";
  for (const reason of r.reasons) if (!(entra && reason === r.reasons.find((x) => x.startsWith("No SSH credential source")))) lines.push(`- ${escapeMarkdown(reason)}`);
  if (entra) lines.push("", l10n.t("Logs in with Microsoft Entra ID (an SSH certificate for your account; no stored credential)."));
  const credential = entra ? undefined : credentialLine(r, l10n);
  if (credential) lines.push("", credential);
  const endsAt = accessEndsAt(facts);
  if (endsAt !== undefined && endsAt > ctx.now) {
    lines.push("", l10n.t("Access ends at {0} ({1} left).", ctx.formatTime(endsAt), formatRemaining(endsAt - ctx.now)));
  }
  if (facts.access.kind === "denied" || facts.access.kind === "failed" || facts.access.kind === "timedOut") {
    lines.push("", l10n.t("Last request: {0}", escapeMarkdown(facts.access.message)));
  }
  return lines.join("\n");
}
