-- POST /api/{user_id}/tasks: the statements the route runs, as the backend sends them (extended protocol).
-- Run with: pgbench -M prepared -D user_id=<user id> -f create.sql
-- The session query (src/auth/session-lookup.ts) is not repeated per request: each instance caches a resolved session
-- for SESSION_CACHE_TTL_MS (src/auth/session-cache.ts), so it runs once per token and TTL, not once per request.
insert into "tasks" (user_id, title, description) select :user_id, 'Benchmark task', 'created by autocannon' where (select count(*) from "tasks" where "tasks"."user_id" = :user_id) < 1000 returning *;
