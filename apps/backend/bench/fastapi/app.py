"""The task routes of Todo Stack written the FastAPI + SQLModel way, as the reference `npm run bench` measures
the backend against (issue 12: the Python stack this project ports). Not part of the product.

Same contract and same database as the backend: a bearer token is looked up in Better Auth's `sessions` table
(joined to `users`), `GET /api/{user_id}/tasks` answers `{tasks, total}` with the same filters and page bounds,
`POST /api/{user_id}/tasks` inserts under the same per-user cap. The list runs the backend's statement (the page
with a window count), so the comparison is between the stacks, not between two query plans.

Run: DATABASE_URL=postgresql://... uvicorn app:app --workers 1
"""

import base64
import hashlib
import hmac
import os
from datetime import datetime, timezone
from typing import Annotated, Literal
from urllib.parse import unquote

from fastapi import Depends, FastAPI, Header, HTTPException, Query
from pydantic import BaseModel, Field as PydanticField
from sqlalchemy import func, over
from sqlmodel import Field, Session, SQLModel, col, create_engine, select

TITLE_MAX, DESCRIPTION_MAX = 200, 1000
PAGE_DEFAULT, PAGE_MAX, TASKS_PER_USER, MAX_ID = 50, 100, 1000, 2_147_483_647
VISIBLE, NO_NUL = r"^[^\x00]*[^\s\x00][^\x00]*$", r"^[^\x00]*$"


class User(SQLModel, table=True):
    __tablename__ = "users"
    id: str = Field(primary_key=True)
    name: str
    email: str


class AuthSession(SQLModel, table=True):
    __tablename__ = "sessions"
    id: str = Field(primary_key=True)
    token: str
    user_id: str = Field(foreign_key="users.id")
    expires_at: datetime


class Task(SQLModel, table=True):
    __tablename__ = "tasks"
    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(foreign_key="users.id")
    title: str
    description: str | None = None
    completed: bool = False
    created_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    updated_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))


class TaskCreate(BaseModel, extra="forbid"):
    title: str = PydanticField(min_length=1, max_length=TITLE_MAX, pattern=VISIBLE)
    description: str | None = PydanticField(default=None, max_length=DESCRIPTION_MAX, pattern=NO_NUL)


class TaskList(BaseModel):
    tasks: list[Task]
    total: int


# The backend's pool holds DATABASE_POOL_MAX (default 10) connections; so does this one.
engine = create_engine(os.environ["DATABASE_URL"], pool_size=10, max_overflow=0)
SECRET = os.environ["BETTER_AUTH_SECRET"].encode()
app = FastAPI(title="Todo Stack (FastAPI reference)")


def get_db():
    # expire_on_commit=False: a created task is answered from the object, without a re-select.
    with Session(engine, expire_on_commit=False) as session:
        yield session


def unsign(signed: str) -> str | None:
    """Better Auth's signed token form, `token.signature` (HMAC-SHA256 of the token, base64)."""
    token, _, signature = unquote(signed).rpartition(".")
    expected = base64.b64encode(hmac.new(SECRET, token.encode(), hashlib.sha256).digest()).decode()
    return token if token and hmac.compare_digest(signature, expected) else None


def current_user(
    user_id: str, db: Annotated[Session, Depends(get_db)], authorization: Annotated[str | None, Header()] = None
) -> str:
    scheme, _, value = (authorization or "").partition(" ")
    token = (unsign(value) if "." in value else value) if scheme.lower() == "bearer" else None
    if not token:
        raise HTTPException(401, "Not authenticated")
    row = db.exec(
        select(AuthSession.expires_at, User.id, User.email, User.name)
        .join(User, col(User.id) == AuthSession.user_id)
        .where(AuthSession.token == token)
    ).first()
    if row is None or row.expires_at <= datetime.now(timezone.utc):
        raise HTTPException(401, "Not authenticated")
    if row.id != user_id:
        raise HTTPException(403, "Forbidden: you can only access your own data.")
    return user_id


Db = Annotated[Session, Depends(get_db)]
Owner = Annotated[str, Depends(current_user)]


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/api/{user_id}/tasks", response_model=TaskList)
def list_tasks(
    owner: Owner,
    db: Db,
    status: Literal["all", "pending", "completed"] = "all",
    sort: Literal["created", "title"] = "created",
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = PAGE_DEFAULT,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
):
    where = [Task.user_id == owner] + ([Task.completed == (status == "completed")] if status != "all" else [])
    order = (
        (func.lower(Task.title), col(Task.id))
        if sort == "title"
        else (col(Task.created_at).desc(), col(Task.id).desc())
    )
    rows = db.exec(select(Task, over(func.count())).where(*where).order_by(*order).limit(limit).offset(offset)).all()
    total = rows[0][1] if rows else 0
    if not rows and offset > 0:
        total = db.exec(select(func.count()).select_from(Task).where(*where)).one()
    return TaskList(tasks=[task for task, _ in rows], total=total)


@app.post("/api/{user_id}/tasks", response_model=Task, status_code=201)
def create_task(body: TaskCreate, owner: Owner, db: Db):
    count = db.exec(select(func.count()).select_from(Task).where(Task.user_id == owner)).one()
    if count >= TASKS_PER_USER:
        raise HTTPException(409, f"Task limit reached: you can keep up to {TASKS_PER_USER} tasks.")
    task = Task(user_id=owner, title=body.title, description=body.description)
    db.add(task)
    db.commit()
    return task
