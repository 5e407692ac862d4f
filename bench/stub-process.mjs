// Starts bench/stub-gateway.mjs in its own process (so its work and memory
// are never the measured client's): resolves to {url, reset, stats, close}.
import { spawn } from "node:child_process";

export async function startStub({ latencyMs = 20, partMiB = 8 } = {}) {
  const child = spawn(process.execPath, [new URL("./stub-gateway.mjs", import.meta.url).pathname, String(latencyMs), String(partMiB)], { stdio: ["pipe", "pipe", "inherit"] });
  const url = await new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the stub exited (${code}) before it listened`)));
    let text = "";
    child.stdout.on("data", (d) => {
      text += d;
      const line = text.split("\n")[0];
      if (text.includes("\n")) resolve(JSON.parse(line).url);
    });
  });
  return {
    url,
    reset: async () => (await fetch(`${url}/__reset`, { method: "POST" })).json(),
    stats: async () => (await fetch(`${url}/__stats`)).json(),
    close: () => new Promise((r) => {
      child.once("exit", r);
      child.stdin.end();
    }),
  };
}
