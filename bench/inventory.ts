/**
 * Benchmark 7: inventory at scale. The simulator's scale scenario (10,000 VMs over 200
 * subscriptions, 2,000 PIM eligibilities) in its own process, 20 ms injected on every Azure request
 * (login, ARM and its PIM/JIT/Resource Graph parts, Key Vault); the core service signs in, then
 * `refreshInventory()` is timed until the tree's data is ready. Requests are counted on the
 * simulator's side (its audit log), by service. The same at a quarter of the VMs shows what the
 * request count grows with.
 */
import { startProductSession } from "./lib/product";
import { productionBuild } from "./lib/build";
import { startSimProcess } from "./lib/simProcess";
import { fmt, fmtIqr, summarize } from "./lib/stats";
import type { Benchmark, Headline } from "./lib/types";

const TARGET_MS = 2000;
const LATENCY_MS = 20;

interface LoadSample {
  vms: number;
  kind: "cold" | "warm";
  wallMs: number;
  requests: number;
  byService: Record<string, number>;
  listedVms: number;
}

export const inventory: Benchmark = {
  name: "inventory",
  title: "7. Inventory at scale",
  async run(ctx) {
    const build = await productionBuild();
    const scales = ctx.quick ? [{ vms: 400, subscriptions: 20, eligibilities: 100 }] : [{ vms: 10_000, subscriptions: 200, eligibilities: 2_000 }, { vms: 2_500, subscriptions: 200, eligibilities: 2_000 }];
    const rounds = ctx.quick ? 1 : ctx.runs;
    const samples: LoadSample[] = [];
    for (const scale of scales) {
      const sim = await startSimProcess({ kind: "simulator", scenario: "scale", scale, startVms: false });
      try {
        for (let round = 0; round < rounds; round++) {
          // A new service per round: its PIM policy cache starts empty ("cold"); the second load is "warm".
          const product = await startProductSession(sim.ready, { tunnelJs: build.tunnelJs, loadInventory: false });
          try {
            await product.control.clearFaults();
            for (const service of ["login", "arm", "keyvault"]) await product.control.addFault({ match: { service }, latencyMs: LATENCY_MS });
            for (const kind of ["cold", "warm"] as const) {
              const since = await product.control.lastAuditSeq();
              const started = performance.now();
              const inv = await product.service.refreshInventory();
              const wallMs = performance.now() - started;
              const entries = (await product.control.audit(since)).filter((e) => e.service !== "control");
              const byService: Record<string, number> = {};
              for (const e of entries) byService[e.service] = (byService[e.service] ?? 0) + 1;
              samples.push({ vms: scale.vms, kind, wallMs, requests: entries.length, byService, listedVms: inv.vms.length });
              ctx.log(`  ${scale.vms} VMs, ${kind}: ${wallMs.toFixed(0)} ms, ${entries.length} requests, ${inv.vms.length} VMs listed`);
            }
          } finally {
            await product.control.clearFaults().catch(() => undefined);
            await product.close();
          }
        }
      } finally {
        await sim.stop();
      }
    }
    const lines = [
      `${LATENCY_MS} ms added by the simulator to every request (login, ARM, PIM, JIT, Resource Graph, Key Vault); ${rounds} round(s), each with a new service (cold: empty PIM policy cache) then a second load (warm). Wall time = \`refreshInventory()\` until it resolves with the tree's data; ms, median [IQR]. Requests counted by the simulator.`,
      "",
      "| VMs (subscriptions, eligibilities) | Load | Wall time | Requests | by service | VMs listed | Target |",
      "|---|---|---|---|---|---|---|",
    ];
    const headlines: Headline[] = [];
    for (const scale of scales) {
      for (const kind of ["cold", "warm"] as const) {
        const mine = samples.filter((s) => s.vms === scale.vms && s.kind === kind);
        const wall = summarize(mine.map((s) => s.wallMs));
        const req = summarize(mine.map((s) => s.requests));
        const services = mine[0]?.byService ?? {};
        const met = wall.median < TARGET_MS;
        lines.push(`| ${scale.vms.toLocaleString("en-US")} (${scale.subscriptions}, ${scale.eligibilities.toLocaleString("en-US")}) | ${kind} | ${fmtIqr(wall, 0)} | ${fmt(req.median, 0)} | ${Object.entries(services).sort().map(([k, v]) => `${k} ${v}`).join(", ")} | ${mine[0]?.listedVms ?? 0} | < ${TARGET_MS} ms ${met ? "(met)" : "(**missed**)"} |`);
        if (scale === scales[0]) headlines.push({ figure: `${scale.vms.toLocaleString("en-US")} VMs, ${kind} load (20 ms/request)`, value: `${fmt(wall.median, 0)} ms, ${fmt(req.median, 0)} requests`, target: `< ${TARGET_MS} ms`, status: met ? "met" : "missed" });
      }
    }
    if (scales.length > 1) {
      const big = summarize(samples.filter((s) => s.vms === scales[0]!.vms && s.kind === "cold").map((s) => s.requests)).median;
      const small = summarize(samples.filter((s) => s.vms === scales[1]!.vms && s.kind === "cold").map((s) => s.requests)).median;
      lines.push("", `Requests, cold: ${fmt(small, 0)} at ${scales[1]!.vms.toLocaleString("en-US")} VMs → ${fmt(big, 0)} at ${scales[0]!.vms.toLocaleString("en-US")} VMs (${fmt(big - small, 0)} more for ${(scales[0]!.vms - scales[1]!.vms).toLocaleString("en-US")} more VMs: Resource Graph pages of 1,000 rows).`);
      headlines.push({ figure: "requests grow with pages, not VMs", value: `${fmt(small, 0)} → ${fmt(big, 0)} requests for 4× the VMs`, target: "pages, not VMs", status: big - small < (scales[0]!.vms - scales[1]!.vms) / 100 ? "met" : "missed" });
    }
    return { markdown: lines.join("\n"), headlines, data: { latencyMs: LATENCY_MS, scales, samples } };
  },
};
