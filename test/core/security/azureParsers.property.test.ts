/**
 * Property-based tests over the parsers of Azure-provided data (issue 12): whatever Azure (or
 * whoever can write a resource) sends, a parser returns a well-formed value or refuses; it never
 * throws a raw error, and what it returns keeps the invariants the rest of the product relies on.
 * Bounded runs so the suite stays fast.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { armIdKey, parseArmId, subscriptionOf } from "../../../src/core/azure/armIds";
import { claimsFromChallenge, claimsFromPimMessage, claimsNeedStepUp, requestedAuthContexts } from "../../../src/core/azure/claims";
import { decodeTokenClaims } from "../../../src/core/azure/tokenClaims";
import { credentialSourceFor } from "../../../src/core/credential/credentialSource";
import { BUILT_IN_CLOUDS } from "../../../src/core/cloud";
import { isJitError } from "../../../src/core/errors";
import { bastionFromAzure, jitPolicyFromAzure, nicFromAzure, vmFromAzure, vnetFromAzure } from "../../../src/core/inventory/normalize";

const RUNS = { numRuns: 300 };
const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: "binary", maxLength: 20 }), fc.constantFrom("", "/", "//", "\u0000", "\r\n", "\u202e", "..", "%2f", "subscriptions"));
const segment = fc.oneof(fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/), text);
const armIdish = fc.array(segment, { maxLength: 10 }).map((parts) => `/${parts.join("/")}`);

test("property: ARM ids parse to consistent parts or not at all", () => {
  fc.assert(
    fc.property(fc.oneof(armIdish, text, fc.tuple(fc.uuid(), segment, segment).map(([s, rg, n]) => `/subscriptions/${s}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${n}`)), (id) => {
      const parsed = parseArmId(id);
      assert.equal(typeof armIdKey(id), "string");
      if (parsed === undefined) return;
      assert.equal(subscriptionOf(id)?.toLowerCase(), parsed.subscriptionId.toLowerCase());
      assert.ok(!parsed.subscriptionId.includes("/"));
    }),
    RUNS,
  );
});

/** Any JSON value, nested a little: what a hostile or broken ARM/ARG response may contain. */
const json = fc.jsonValue({ maxDepth: 4 });
const resourceLike = fc.record(
  { id: fc.oneof(armIdish, json), name: fc.oneof(text, json), type: fc.oneof(text, json), location: fc.oneof(text, json), tags: fc.oneof(fc.dictionary(text, text, { maxKeys: 4 }), json), properties: json, sku: json, zones: json },
  { requiredKeys: [] },
);

test("property: Resource Graph / ARM rows normalise to records or undefined, never a raw exception", () => {
  fc.assert(
    fc.property(fc.oneof(resourceLike, json), (row) => {
      for (const normalise of [vmFromAzure, nicFromAzure, vnetFromAzure, bastionFromAzure, jitPolicyFromAzure]) {
        const out = normalise(row);
        if (out !== undefined) assert.equal(typeof (out as { id?: unknown }).id, "string");
      }
    }),
    RUNS,
  );
});

test("property: VM tags never yield a credential source that is not validated", () => {
  fc.assert(
    fc.property(fc.dictionary(fc.oneof(text, fc.constantFrom("azure-jit-connect.secret", "AZURE-JIT-CONNECT.SECRET", "azure-jit-connect.username")), text, { maxKeys: 5 }), text, (tags, name) => {
      const source = credentialSourceFor({ id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/v", name, tags, adminUsername: "azureuser" }, undefined, BUILT_IN_CLOUDS.AzureCloud);
      if (source.kind === "invalid") assert.ok(isJitError(source.error));
      if (source.kind === "secret") {
        assert.match(source.secret.vaultUrl, /^https:\/\/[a-z0-9-]+\.vault\.azure\.net$/);
        assert.match(source.secret.uri.pathname, /^\/secrets\/[0-9A-Za-z-]{1,127}(?:\/[0-9a-f]{32})?$/);
      }
      if (source.kind !== "invalid" && source.user) assert.doesNotMatch(source.user.name, /[\s\p{Cc}"'\\]/u);
    }),
    RUNS,
  );
});

test("property: claims challenges and PIM messages parse or yield nothing; tokens decode or refuse", () => {
  fc.assert(
    fc.property(fc.oneof(text, fc.constantFrom('Bearer realm="", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnt9fQ=="', 'Bearer claims="%%%"', "Bearer claims=")), (header) => {
      const claims = claimsFromChallenge(header);
      if (claims !== undefined) {
        assert.equal(typeof claims, "string");
        assert.equal(typeof claimsNeedStepUp(claims), "boolean");
        assert.ok(Array.isArray(requestedAuthContexts(claims)));
      }
      const fromPim = claimsFromPimMessage(header);
      if (fromPim !== undefined) assert.equal(typeof fromPim, "string");
      try {
        decodeTokenClaims(header);
      } catch (e) {
        assert.ok(isJitError(e) || e instanceof Error, String(e));
      }
    }),
    RUNS,
  );
});
