-- POST /api/{user_id}/tasks: the statements the route runs, as the backend sends them (extended protocol).
-- Run with: pgbench -M prepared -D token=<session token> -D user_id=<user id> -f create.sql
select "sessions"."expires_at", "users"."id", "users"."email", "users"."name" from "sessions" inner join "users" on "users"."id" = "sessions"."user_id" where "sessions"."token" = :token;
insert into "tasks" (user_id, title, description) select :user_id, 'Benchmark task', 'created by autocannon' where (select count(*) from "tasks" where "tasks"."user_id" = :user_id) < 1000 returning *;
