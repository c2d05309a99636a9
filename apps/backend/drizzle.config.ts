import { defineConfig } from 'drizzle-kit';

// `nx run backend:db-generate` writes a new versioned SQL migration after a schema change;
// `nx run backend:migrate` (or start-up with the embedded database) applies it.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './drizzle',
  strict: true,
  verbose: true,
});
