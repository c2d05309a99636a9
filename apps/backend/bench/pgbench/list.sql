-- GET /api/{user_id}/tasks: the statements the route runs, as the backend sends them (extended protocol).
-- Run with: pgbench -M prepared -D token=<session token> -D user_id=<user id> -f list.sql
select "sessions"."expires_at", "users"."id", "users"."email", "users"."name" from "sessions" inner join "users" on "users"."id" = "sessions"."user_id" where "sessions"."token" = :token;
select "id", "user_id", "title", "description", "completed", "created_at", "updated_at", count(*) over () from "tasks" where "tasks"."user_id" = :user_id order by "tasks"."created_at" desc, "tasks"."id" desc limit 50 offset 0;
