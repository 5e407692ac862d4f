// The one embedded Postgres (PGlite, in memory) shared by every simulator in
// this process. PGlite is a single connection, so all access goes through
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

let dbPromise;
let tail = Promise.resolve();

function database() {
  dbPromise ??= (async () => {
    const db = await PGlite.create({ parsers: PARSERS });
    await db.exec(BOOTSTRAP);
    return db;
  })();
  return dbPromise;
}

/** Starts the database (first call takes a few seconds). */
export async function ready() {
  await database();
}

/** Runs `fn(db)` with exclusive use of the connection. */
export function withSession(fn) {
  const run = tail.then(async () => fn(await database()));
  tail = run.catch(() => {});
  return run;
}

export function quoteIdent(name) {
  return `"${String(name).replace(/"/g, '""')}"`;
}

export function quoteLiteral(text) {
  return `'${String(text).replace(/'/g, "''")}'`;
}
