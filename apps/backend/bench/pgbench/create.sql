-- POST /api/{user_id}/tasks: the statements the route runs, as the backend sends them (extended protocol).
-- Run with: pgbench -M prepared -D token=<session token> -D user_id=<user id> -f create.sql
select "sessions"."expires_at", "users"."id", "users"."email", "users"."name" from "sessions" inner join "users" on "users"."id" = "sessions"."user_id" where "sessions"."token" = :token;
insert into "tasks" ("id", "user_id", "title", "description", "completed", "created_at", "updated_at") values (default, :user_id, 'Benchmark task', 'created by autocannon', default, default, default) returning "id", "user_id", "title", "description", "completed", "created_at", "updated_at";
