import { defineConfig } from "drizzle-kit";

/**
 * `npm run db:generate` writes the SQL for the whole drizzle schema (src/db/*.ts) into
 * .wrangler/drizzle-draft/. Copy the statements a change needs into the next numbered file in
 * d1-migrations/ (wrangler applies those in order); test/integration/schema-drift.test.ts fails
 * if the migrations and the drizzle schema disagree.
 */
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/*.ts",
  out: "./.wrangler/drizzle-draft",
});
