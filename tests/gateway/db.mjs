// The one embedded Postgres (PGlite, in memory) shared by every simulator
// open in this process; it starts with the first and closes after the last.
// PGlite is a single connection, so all access goes through
// withSession(): it serializes whole units of work, which is what lets a
// session switch role and search_path without leaking into another request.

import { PGlite } from "@electric-sql/pglite";

// Platform objects every project relies on: the REST roles, auth.uid() read
// from the per-request claims, and the trigger behind force_owner_on_insert.
const BOOTSTRAP = `
  CREATE ROLE anon NOLOGIN;
  CREATE ROLE authenticated NOLOGIN;
  REVOKE ALL ON SCHEMA public FROM PUBLIC;
  CREATE SCHEMA auth;
  GRANT USAGE ON SCHEMA auth TO PUBLIC;
  CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;
  CREATE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('request.jwt.claim.role', true), '') $$;
  CREATE FUNCTION auth.force_owner() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN
      NEW := jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[0], auth.uid()));
      RETURN NEW;
    END $$;
  CREATE SCHEMA sim_internal;
  CREATE SEQUENCE sim_internal.schema_slot;
`;

// int8 stays a string, as node-postgres (the real gateway's driver) returns it.
const PARSERS = { 20: (text) => text };

// How long the database outlives its last simulator, so sequential
// start()/close() pairs reuse it instead of booting again.
const LINGER_MS = 1000;

let dbPromise;
let tail = Promise.resolve();
let users = 0;
let shutdownTimer;

function database() {
  dbPromise ??= (async () => {
    const db = await PGlite.create({ parsers: PARSERS });
    await db.exec(BOOTSTRAP);
    return db;
  })();
  return dbPromise;
}

/** Registers a simulator as a user of the database, starting it if needed (a few seconds). */
export async function acquire() {
  users += 1;
  clearTimeout(shutdownTimer);
  await database();
}

/**
 * Unregisters a simulator. Shortly after the last one leaves, the database is
 * closed: PGlite keeps a 10 s Postgres timer pending that would otherwise hold
 * the process open. The shutdown timer itself is unref'd.
 */
export function release() {
  users -= 1;
  if (users > 0) return;
  shutdownTimer = setTimeout(() => {
    if (users > 0 || !dbPromise) return;
    const closing = dbPromise;
    dbPromise = undefined;
    exclusive(async () => (await closing).close());
  }, LINGER_MS);
  shutdownTimer.unref();
}

function exclusive(task) {
  const run = tail.then(task);
  tail = run.catch(() => {});
  return run;
}

/** Runs `fn(db)` with exclusive use of the connection. */
export function withSession(fn) {
  return exclusive(async () => fn(await database()));
}

export function quoteIdent(name) {
  return `"${String(name).replace(/"/g, '""')}"`;
}

export function quoteLiteral(text) {
  return `'${String(text).replace(/'/g, "''")}'`;
}
