// A collector on loopback that takes OTLP/JSON and counts the spans it is sent, for the benches
// that export (e2e.mjs in its own process; compare.mjs in a child, since it runs its subjects
// synchronously). Run directly, it prints its URL and answers until killed.
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";

export async function startCollector() {
  let spans = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        for (const r of body.resourceSpans ?? []) for (const s of r.scopeSpans ?? []) spans += (s.spans ?? []).length;
      } catch {
        // Counted as nothing: the ratio shows it.
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/v1/traces`,
    take() {
      const n = spans;
      spans = 0;
      return n;
    },
    close: () => server.close(),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const collector = await startCollector();
  process.stdout.write(`${collector.url}\n`);
}
