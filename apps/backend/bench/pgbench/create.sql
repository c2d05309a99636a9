-- POST /api/{user_id}/tasks: the statements the route runs, as the backend sends them (extended protocol).
-- Run with: pgbench -M prepared -D user_id=<user id> -f create.sql
-- The session query (src/auth/session-lookup.ts) is not repeated per request: each instance caches a resolved session
-- for SESSION_CACHE_TTL_MS (src/auth/session-cache.ts), so it runs once per token and TTL, not once per request.
insert into tasks (user_id, title, description) select :user_id, 'Benchmark task', 'created by autocannon' where (select count(*) from tasks where user_id = :user_id) < 1000 returning id, user_id, title, description, completed, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24":"MI":"SS.MS"Z"') as created_at, to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24":"MI":"SS.MS"Z"') as updated_at;
