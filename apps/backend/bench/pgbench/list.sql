-- GET /api/{user_id}/tasks: the statements the route runs, as the backend sends them (extended protocol).
-- Run with: pgbench -M prepared -D user_id=<user id> -f list.sql
-- The session query (src/auth/session-lookup.ts) is not repeated per request: each instance caches a resolved session
-- for SESSION_CACHE_TTL_MS (src/auth/session-cache.ts), so it runs once per token and TTL, not once per request.
select id, user_id, title, description, completed, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24":"MI":"SS.MS"Z"') as created_at, to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24":"MI":"SS.MS"Z"') as updated_at, count(*) over () as total from tasks t where t.user_id = :user_id order by t.created_at desc, t.id desc limit 50 offset 0;
