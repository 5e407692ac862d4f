// The end-to-end smoke every runtime runs against the simulator. It takes the
// imported package namespace, so each harness decides HOW the package is
// loaded and this file stays plain ES2022 with no runtime-specific code (no
// node: imports, no Deno/Bun globals): it is bundled into a Worker and served
// to a browser as is.
//
// Two phases: smoke() runs with payments off (the simulator's default);
// paidSmoke() runs only while the Node-side harness has switched payments on
// (lib.mjs paidPhase), with a fresh wallet the harness funded.

/** Keys kept in memory, as an app embedding the SDK would. */
function memoryCredentials() {
  const projects = new Map();
  let active = null;
  return {
    projects,
    getAuth: async () => null, // no wallet: the simulator runs with payments off
    getProject: async (id) => projects.get(id) ?? null,
    saveProject: async (id, keys) => void projects.set(id, { ...keys }),
    setActiveProject: (id) => void (active = id),
    getActiveProject: () => active,
  };
}

function check(ok, what, got) {
  if (!ok) throw new Error(`smoke: ${what}; got ${JSON.stringify(got)}`);
}

function same(got, want, what) {
  const a = JSON.stringify(got);
  const b = JSON.stringify(want);
  if (a !== b) throw new Error(`smoke: ${what}: expected ${b}, got ${a}`);
}

// A value that must survive JS → wasm → JSON → Postgres and back unchanged.
const TRICKY = "cherry 'pie' \"quoted\" — café ✓ 🍒";

export async function smoke(sdk, apiBase) {
  const started = Date.now();
  check(typeof sdk?.Run402 === "function", "the package exports a Run402 class", Object.keys(sdk ?? {}));
  const creds = memoryCredentials();
  const r = new sdk.Run402({ apiBase, credentials: creds });

  const health = await r.service.health();
  check(health?.status === "ok", 'service.health() has status "ok"', health);

  const p = await r.projects.provision({ tier: "prototype" });
  for (const field of ["project_id", "anon_key", "service_key"]) {
    check(typeof p?.[field] === "string" && p[field] !== "", `provision() returns a non-empty ${field}`, p);
  }
  same(
    creds.projects.get(p.project_id),
    { anon_key: p.anon_key, service_key: p.service_key },
    "provision() saves the new keys through credentials.saveProject",
  );
  check(creds.getActiveProject() === p.project_id, "provision() sets the active project", creds.getActiveProject());
  const id = p.project_id;

  // SQL as text (one statement per call keeps the assertions simple).
  const created = await r.projects.sql(id, "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, qty int NOT NULL)");
  check(created && Array.isArray(created.rows), "sql(CREATE TABLE) returns a result with a rows array", created);
  const inserted = await r.projects.sql(id, "INSERT INTO items (name, qty) VALUES ('apple', 3), ('banana', 0)");
  check(inserted && Array.isArray(inserted.rows), "sql(INSERT) returns a result with a rows array", inserted);

  // SQL with bound parameters: the string must come back byte for byte.
  const bound = await r.projects.sql(id, "INSERT INTO items (name, qty) VALUES ($1, $2) RETURNING id, name, qty", [TRICKY, 7]);
  same(bound?.rows, [{ id: 3, name: TRICKY, qty: 7 }], "parameterized INSERT ... RETURNING");

  // REST insert with the service key (tables are not exposed to anon yet).
  const posted = await r.projects.rest(id, "items", { method: "POST", body: { name: "date", qty: 5 }, keyType: "service" });
  same(posted, [{ id: 4, name: "date", qty: 5 }], "rest POST returns the inserted row");

  // REST read with a filter and an order.
  const rows = await r.projects.rest(id, "items", { query: "select=id,name,qty&qty=gt.0&order=qty.desc", keyType: "service" });
  same(
    rows,
    [
      { id: 3, name: TRICKY, qty: 7 },
      { id: 4, name: "date", qty: 5 },
      { id: 1, name: "apple", qty: 3 },
    ],
    "rest GET qty=gt.0 order=qty.desc",
  );

  // A gateway error must arrive as an Error subclass with a kind and status.
  let failure;
  try {
    await r.projects.rest(id, "no_such_table", "select=*");
  } catch (e) {
    failure = e;
  }
  check(failure instanceof Error, "rest GET on a missing table throws an Error", String(failure));
  check(failure instanceof sdk.Run402Error && sdk.isApiError(failure), "the error is a Run402Error of kind api_error", {
    name: failure?.name,
    kind: failure?.kind,
  });
  check(failure.kind === "api_error" && failure.status === 404, "the error has kind api_error and status 404", {
    kind: failure.kind,
    status: failure.status,
    message: failure.message,
  });

  return { projectId: id, rows: rows.length, errorKind: failure.kind, ms: Date.now() - started };
}

/**
 * A paid provision with the wallet the harness made and funded: the SDK signs
 * in with it (SIGN-IN-WITH-X), answers the 402 with an EIP-3009 payment signed
 * in wasm, and records what it paid. `wallet` is `{ address, privateKey }`.
 */
export async function paidSmoke(sdk, apiBase, wallet) {
  const started = Date.now();
  check(typeof sdk?.allowanceCredentials === "function", "the package exports allowanceCredentials", Object.keys(sdk ?? {}));
  const projects = {};
  const r = new sdk.Run402({ apiBase, credentials: sdk.allowanceCredentials({ allowance: wallet, projects }) });

  const p = await r.projects.provision({ tier: "prototype" });
  const provisionedMs = Date.now() - started;
  for (const field of ["project_id", "anon_key", "service_key"]) {
    check(typeof p?.[field] === "string" && p[field] !== "", `paid provision() returns a non-empty ${field}`, p);
  }
  same(projects[p.project_id], { anon_key: p.anon_key, service_key: p.service_key }, "paid provision() saves the keys into allowanceCredentials' projects");

  const spent = await r.payments.spent();
  check(spent?.total === "0.10", 'payments.spent().total is "0.10" after one prototype provision', spent);
  same(spent, { total: "0.10", baseUnits: "100000", count: 1 }, "payments.spent()");

  const receipts = await r.payments.receipts();
  check(Array.isArray(receipts) && receipts.length === 1, "payments.receipts() holds exactly one receipt", receipts);
  const [receipt] = receipts;
  check(receipt.settlement?.success === true, "the receipt's settlement.success is true", receipt);
  check(receipt.amount === "100000" && receipt.path === "/projects/v1" && receipt.status === 201, "the receipt is for 100000 base units on POST /projects/v1, answered 201", receipt);
  check(
    String(receipt.settlement.payer).toLowerCase() === wallet.address.toLowerCase(),
    "the settlement's payer is the allowance wallet",
    { payer: receipt.settlement.payer, wallet: wallet.address },
  );
  check(/^0x[0-9a-f]{64}$/.test(receipt.settlement.transaction ?? ""), "the settlement names a transaction hash", receipt.settlement);

  // The new project's keys work (the provider serves them back to the SDK).
  const one = await r.projects.sql(p.project_id, "SELECT 1 + 1 AS two");
  same(one?.rows, [{ two: 2 }], "sql() on the paid project");

  return {
    projectId: p.project_id,
    payer: receipt.settlement.payer,
    transaction: receipt.settlement.transaction,
    network: receipt.network,
    provisionMs: provisionedMs,
    ms: Date.now() - started,
  };
}
