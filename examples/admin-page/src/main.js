// A browser page that lists a wallet's Run402 projects and their usage.
// Listing needs only the wallet's address; usage against the tier's limits
// needs each project's service key, which the page takes from a pasted
// keystore (the run402 CLI's ~/.config/run402/projects.json). The keys stay
// in this tab's memory and go to the gateway only.
import { Run402, isRun402Error } from "@run402/sdk-wasm";

const form = document.querySelector("#load");
const status = document.querySelector("#status");
const table = document.querySelector("#projects");

/** Project keys by id, from the CLI's keystore or a plain { id: keys } map. */
function parseKeys(text) {
  if (!text.trim()) return {};
  const parsed = JSON.parse(text);
  return parsed?.projects && typeof parsed.projects === "object" ? parsed.projects : parsed;
}

const number = new Intl.NumberFormat();
// Binary multiples, as Run402 counts its tier limits (250 MB = 250 × 2^20 bytes).
function bytes(n) {
  const units = ["B", "KB", "MB", "GB"];
  let i = 0;
  for (; n >= 1024 && i < units.length - 1; i++) n /= 1024;
  return `${number.format(Math.round(n * 10) / 10)} ${units[i]}`;
}

/** A cell with `used` of `limit`, and a meter when the limit is known. */
function amountCell(used, limit, format) {
  const td = document.createElement("td");
  td.textContent = limit === undefined ? format(used) : `${format(used)} / ${format(limit)}`;
  if (limit !== undefined) {
    const meter = Object.assign(document.createElement("meter"), { min: 0, max: limit, value: used, high: limit * 0.8 });
    td.append(meter);
  }
  return td;
}

function row(project, usage) {
  const tr = document.createElement("tr");
  tr.dataset.projectId = project.id;
  const text = (value) => Object.assign(document.createElement("td"), { textContent: value ?? "—" });
  // Every value is set as text, never as HTML: it comes from the network.
  tr.append(text(project.id), text(project.name), text(project.tier), text(usage?.status ?? project.status));
  tr.append(
    amountCell(usage?.api_calls ?? project.api_calls, usage?.api_calls_limit, (n) => number.format(n)),
    amountCell(usage?.storage_bytes ?? project.storage_bytes, usage?.storage_limit_bytes, bytes),
    text(project.lease_expires_at ? new Date(project.lease_expires_at).toLocaleDateString() : null),
  );
  if (!usage) tr.title = "no service key for this project: limits unknown";
  return tr;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  let keys;
  try {
    keys = parseKeys(String(data.get("keys")));
  } catch {
    status.textContent = "The project keys are not valid JSON.";
    return;
  }
  const r = new Run402({
    apiBase: String(data.get("apiBase")).trim().replace(/\/+$/, ""),
    credentials: {
      getAuth: () => null, // listing by address needs no sign-in
      getProject: (id) => keys[id] ?? null,
    },
  });
  status.textContent = "Loading…";
  table.hidden = true;
  try {
    const { projects } = await r.projects.list(String(data.get("wallet")).trim());
    // One usage request per project we hold keys for, all at once.
    const usage = await Promise.all(projects.map((p) => (keys[p.id] ? r.projects.getUsage(p.id) : null)));
    table.tBodies[0].replaceChildren(...projects.map((p, i) => row(p, usage[i])));
    table.hidden = projects.length === 0;
    status.textContent = projects.length ? `${projects.length} project${projects.length === 1 ? "" : "s"}` : "This wallet has no projects.";
  } catch (e) {
    // `kind` tells a bad key (unauthorized) from a network failure; the
    // message names the call and never contains a key.
    status.textContent = isRun402Error(e) ? `${e.kind}: ${e.message}` : String(e);
  }
});
