import { PGlite } from "@electric-sql/pglite";
const t0 = Date.now();
const db = await PGlite.create({ startParams: process.argv[2] ? process.argv[2].split(" ") : undefined });
await db.exec("create table t (a int); insert into t values (1); select * from t;");
console.log("ready", Date.now() - t0);
process.on("exit", () => console.log("exit", Date.now() - t0));
