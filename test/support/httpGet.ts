import * as http from "node:http";

/** A plain http GET (a forwarded port on loopback, say): status and body as text; fails after 20 s. */
export function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.setTimeout(20_000, () => req.destroy(new Error(`GET ${url} timed out`)));
    req.once("error", reject);
  });
}
