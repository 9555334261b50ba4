/**
 * Plain https GETs for tests that talk to the simulator's vault hosts (`<vault>.vault.localhost`)
 * without an SDK: fetch cannot be given a resolver, so this uses https with the product's loopback
 * agent (names under `.localhost` are loopback, RFC 6761).
 */
import * as https from "node:https";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { isLoopbackName, loopbackAgent } from "../../src/core/net/loopbackNames";

export interface LoopbackResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export function loopbackGet(url: string, headers: Record<string, string> = {}): Promise<LoopbackResponse> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { headers, agent: loopbackAgent() }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}

/** For SDK clients built by tests: `.localhost` names resolve to loopback, as in the product. */
export const loopbackPolicy: PipelinePolicy = {
  name: "testLoopbackNames",
  sendRequest(request, next) {
    if (isLoopbackName(new URL(request.url).hostname)) request.agent = loopbackAgent();
    return next(request);
  },
};
