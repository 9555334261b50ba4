/** The demo commands' client for the simulator control API: loopback only, and the calls it makes. */
import assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { isJitError } from "../../src/core/errors";
import { SimulatorControl } from "../../src/vscode/demo/simulatorControl";

describe("SimulatorControl", () => {
  let server: http.Server;
  let base: string;
  const calls: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", (): void => {
        calls.push(`${req.method} ${req.url} ${body}`);
        res.setHeader("content-type", "application/json");
        if (req.url?.startsWith("/_sim/pim/requests?")) return void res.end(JSON.stringify({ value: [{ name: "r1", status: "PendingApproval", scope: "/subscriptions/s/resourceGroups/rg-vm-approval", role: "JIT VM Operator", requestor: "alice", justification: "j", ticketNumber: "T-1" }] }));
        if (req.url === "/_sim/clock") return void res.end(JSON.stringify({ now: "2030-01-01T00:10:00.000Z" }));
        if (req.url === "/_sim/pim/requests/r1/deny") return void res.end(JSON.stringify({ name: "r1", status: "Denied" }));
        res.statusCode = 404;
        res.end(JSON.stringify({ error: { code: "NotFound" } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("refuses anything but a loopback URL, naming the setting", () => {
    for (const url of ["https://example.com", "not a url", "file:///etc/passwd"]) {
      assert.throws(() => new SimulatorControl(url), (e: unknown) => isJitError(e) && e.code === "InvalidSetting" && /azureJit\.demo\.simulatorControlUrl/.test(e.message), url);
    }
    assert.doesNotThrow(() => new SimulatorControl("http://localhost:8442"));
  });

  it("lists pending requests, decides one, moves the clock", async () => {
    const sim = new SimulatorControl(`${base}/ignored/path`);
    assert.deepEqual((await sim.pendingPimRequests()).map((r) => r.name), ["r1"]);
    assert.equal((await sim.decide("r1", "deny", "no")).status, "Denied");
    assert.equal((await sim.advanceClock(600)).toISOString(), "2030-01-01T00:10:00.000Z");
    assert.deepEqual(calls, ["GET /_sim/pim/requests?status=PendingApproval ", 'POST /_sim/pim/requests/r1/deny {"justification":"no"}', 'POST /_sim/clock {"advanceSeconds":600}']);
  });

  it("an HTTP error or a dead simulator is a JitError a user can act on", async () => {
    await assert.rejects(new SimulatorControl(base).decide("nope", "approve", "x"), (e: unknown) => isJitError(e) && /HTTP 404/.test(e.message));
    await assert.rejects(new SimulatorControl("http://127.0.0.1:1").advanceClock(1), (e: unknown) => isJitError(e) && e.code === "NetworkError" && /is it running/.test(e.message));
  });
});
