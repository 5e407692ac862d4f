// Expose-manifest routes (wire contract §1.1 applyExpose / getExpose /
// validateExpose).

import { requireServiceKey, walletFromSiwx } from "../auth.mjs";
import { withSession } from "../db.mjs";
import { HttpError, fail, json, jsonObjectBody, jsonValueBody } from "../http-util.mjs";
import { schemaShape } from "../introspect.mjs";
import { applyManifest } from "../expose-apply.mjs";
import { addMigrationObjects, validateManifest } from "../expose-validate.mjs";

const EMPTY_SHAPE = () => ({ tables: new Map(), views: new Set(), functions: new Map() });

async function apply(ctx) {
  const project = requireServiceKey(ctx, ctx.params.id);
  const manifest = jsonValueBody(ctx);
  const summary = await withSession(async (db) => {
    const shape = await schemaShape(db, project.schema);
    const result = validateManifest(manifest, shape, project.schema);
    if (result.hasErrors) {
      throw new HttpError(400, {
        error: "invalid_manifest",
        message: `Expose manifest has ${result.errors.length} error(s): ${result.errors[0].detail}`,
        code: "INVALID_MANIFEST",
        errors: result.errors,
        warnings: result.warnings,
      });
    }
    return { ...(await applyManifest(db, project, manifest, shape)), warnings: result.warnings };
  });
  return json(200, { status: "ok", project_id: project.id, ...summary });
}

/** The body is the manifest itself (contract §1.1 getExpose); before any apply, an empty one. */
function get(ctx) {
  const project = requireServiceKey(ctx, ctx.params.id);
  return json(200, project.expose ?? { version: "1", tables: [], views: [], rpcs: [] });
}

/** Body `{manifest, migration_sql?}`; a string manifest is parsed here as the SDK would. */
function validationInput(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["manifest", "migration_sql"] });
  if (body.manifest === undefined) fail(400, "missing_field", 'Field "manifest" is required.', "MISSING_FIELD", { details: { field: "manifest" } });
  if (body.migration_sql !== undefined && typeof body.migration_sql !== "string") {
    fail(400, "invalid_field", 'Field "migration_sql" must be a string.', "INVALID_FIELD", { details: { field: "migration_sql" } });
  }
  return body;
}

function validate(input, shape, schema, { projectless }) {
  const references = !projectless || input.migration_sql !== undefined;
  const warnings = input.migration_sql === undefined ? [] : addMigrationObjects(shape, input.migration_sql);
  let manifest = input.manifest;
  if (typeof manifest === "string") {
    try {
      manifest = JSON.parse(manifest);
    } catch (err) {
      const error = { type: "schema-shape", severity: "error", detail: `Manifest is not valid JSON: ${err.message}` };
      return { hasErrors: true, errors: [error], warnings };
    }
  }
  if (!references) {
    warnings.push({ type: "validation-inconclusive", severity: "warning", detail: "No project and no migration_sql: table, column and function names were not checked." });
  }
  const result = validateManifest(manifest, shape, schema, { references });
  return { ...result, warnings: [...warnings, ...result.warnings] };
}

async function validateForProject(ctx) {
  const project = requireServiceKey(ctx, ctx.params.id);
  const input = validationInput(ctx);
  const shape = await withSession((db) => schemaShape(db, project.schema));
  return json(200, validate(input, shape, project.schema, { projectless: false }));
}

async function validateProjectless(ctx) {
  await walletFromSiwx(ctx, { required: true });
  const input = validationInput(ctx);
  return json(200, validate(input, EMPTY_SHAPE(), "(projectless)", { projectless: true }));
}

export function register(router) {
  router.add("POST", "/projects/v1/admin/:id/expose", apply);
  router.add("GET", "/projects/v1/admin/:id/expose", get);
  router.add("POST", "/projects/v1/admin/:id/expose/validate", validateForProject);
  router.add("POST", "/projects/v1/expose/validate", validateProjectless);
}
