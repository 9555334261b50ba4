/**
 * Issue 12, item 6: hostile input must get Azure's error shapes, not a 500 or a reset connection.
 * A Resource Graph query nested 50,000 deep (was: 500, stack overflow), a deeply nested JSON body
 * (was: connection reset), and a keep-alive request right after a 413 (was: reset).
 */
import assert from "node:assert/strict";
import * as https from "node:https";
import { after, before, describe, it } from "node:test";
import type { DeviceCodeCredential } from "@azure/identity";
import { startTestSimulator, type TestSimulator } from "../support/simulator";

interface Answer {
  status: number;
  json: { error?: { code?: string; message?: string; details?: { code: string }[] } };
  socketReused: boolean;
}

describe("simulator input bounds", () => {
  let ts: TestSimulator;
  let token = "";
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  before(async () => {
    ts = await startTestSimulator("demo", { startVms: false });
    const alice: DeviceCodeCredential = await ts.signInWithDeviceCode("alice@contoso.example");
    token = (await alice.getToken(ts.settings.armScope))!.token;
  });
  after(async () => {
    agent.destroy();
    await ts.stop();
  });

  const post = (path: string, body: string | Buffer): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = https.request(`${ts.settings.resourceManagerEndpoint}${path}`, { method: "POST", agent, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Answer["json"], socketReused: req.reusedSocket }));
      });
      req.on("error", reject);
      req.end(body);
    });
  const ARG = "/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01";

  it("a query nested 50,000 parentheses deep gets a ParserFailure 400", async () => {
    const query = `Resources | where ${"(".repeat(50_000)}name == 'x'${")".repeat(50_000)}`;
    const answer = await post(ARG, JSON.stringify({ query }));
    assert.equal(answer.status, 400);
    assert.equal(answer.json.error?.code, "BadRequest");
    assert.deepEqual(answer.json.error?.details?.map((d) => d.code), ["InvalidQuery", "ParserFailure"]);
    const chain = `Resources | where ${Array.from({ length: 50_000 }, () => "name == 'x'").join(" or ")}`;
    assert.equal((await post(ARG, JSON.stringify({ query: chain }))).status, 400, "a 50,000-term or-chain too");
    assert.equal((await post(ARG, JSON.stringify({ query: "Resources | where ((name == 'x')) | project id" }))).status, 200, "ordinary nesting still works");
  });

  it("a deeply nested JSON body gets InvalidRequestContent 400 and the connection stays usable", async () => {
    for (const body of [`{"query":${"[".repeat(100_000)}${"]".repeat(100_000)}}`, `${"{\"a\":".repeat(100_000)}1${"}".repeat(100_000)}`]) {
      const answer = await post(ARG, body);
      assert.equal(answer.status, 400);
      assert.equal(answer.json.error?.code, "InvalidRequestContent");
    }
    assert.equal((await post(ARG, JSON.stringify({ query: "Resources | take 1" }))).status, 200);
    assert.equal((await post(ARG, JSON.stringify({ query: "Resources | where name == '[[[[{{{{' | take 1" }))).status, 200, "brackets inside strings do not count");
  });

  it("after a 413 the next keep-alive request is answered (the 413 closes its connection)", async () => {
    const big = await post(ARG, Buffer.alloc(6 * 1024 * 1024, 0x20));
    assert.equal(big.status, 413);
    const next = await post(ARG, JSON.stringify({ query: "Resources | take 1" }));
    assert.equal(next.status, 200);
    assert.equal(next.socketReused, false, "a fresh connection, not the one holding the rest of the big body");
  });
});
