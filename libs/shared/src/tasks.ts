import Type, { type Static } from 'typebox';
import { Id, LIMITS, Text, Timestamp, UserId } from './common.js';

export const TASK_STATUSES = ['all', 'pending', 'completed'] as const;
export const TASK_SORTS = ['created', 'title'] as const;

export const Task = Type.Object({
  id: Type.Integer(),
  user_id: Type.String(),
  title: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  completed: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Task = Static<typeof Task>;

const Title = Text({ maxLength: LIMITS.taskTitle, description: 'What to do (1-200 characters)' });
const Description = Type.Union([Text({ minLength: 0, maxLength: LIMITS.taskDescription }), Type.Null()], {
  description: 'Details (up to 1000 characters); null clears it',
});

export const CreateTask = Type.Object(
  { title: Title, description: Type.Optional(Description) },
  { additionalProperties: false },
);
export type CreateTask = Static<typeof CreateTask>;

/** PUT changes only the fields it is given; at least one is required. */
export const UpdateTask = Type.Object(
  {
    title: Type.Optional(Title),
    description: Type.Optional(Description),
    completed: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateTask = Static<typeof UpdateTask>;

export const TaskQuery = Type.Object(
  {
    status: Type.Optional(Type.Enum(TASK_STATUSES, { default: 'all', description: 'Which tasks to list' })),
    sort: Type.Optional(
      Type.Enum(TASK_SORTS, { default: 'created', description: 'created: newest first; title: A to Z' }),
    ),
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: LIMITS.taskPageMax,
        default: LIMITS.taskPageDefault,
        description: `Page size (1-${LIMITS.taskPageMax})`,
      }),
    ),
    offset: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: LIMITS.maxId,
        default: 0,
        description: 'Tasks to skip (pages: 0, limit, 2×limit…)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type TaskQuery = Static<typeof TaskQuery>;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export type TaskSort = (typeof TASK_SORTS)[number];

export const TaskParams = Type.Object({ user_id: UserId, id: Id });
export type TaskParams = Static<typeof TaskParams>;

export const TaskList = Type.Object({
  tasks: Type.Array(Task),
  total: Type.Integer({ minimum: 0 }),
});
export type TaskList = Static<typeof TaskList>;
