import Value from 'typebox/value';
import { LIMITS } from './common.js';
import { CreateTask, TaskQuery, UpdateTask } from './tasks.js';

describe('CreateTask', () => {
  it.each([
    [{ title: 'Buy milk' }],
    [{ title: 'x'.repeat(LIMITS.taskTitle) }],
    [{ title: 'Call mum', description: 'about Sunday' }],
    [{ title: 'Clear details', description: null }],
    [{ title: 'Empty details', description: '' }],
    [{ title: "'; drop table tasks; --" }],
    [{ title: '買い物 🛒 مرحبا' }],
  ])('accepts %j', (body) => {
    expect(Value.Check(CreateTask, body)).toBe(true);
  });

  it.each([
    ['no title', {}],
    ['empty title', { title: '' }],
    ['blank title', { title: '   \t\n' }],
    ['title too long', { title: 'x'.repeat(LIMITS.taskTitle + 1) }],
    ['title with NUL', { title: 'a\u0000b' }],
    ['title not a string', { title: 42 }],
    ['description too long', { title: 'ok', description: 'x'.repeat(LIMITS.taskDescription + 1) }],
    ['description with NUL', { title: 'ok', description: '\u0000' }],
    ['unknown field', { title: 'ok', owner: 'someone-else' }],
  ])('rejects %s', (_case, body) => {
    expect(Value.Check(CreateTask, body)).toBe(false);
  });
});

describe('UpdateTask', () => {
  it('needs at least one field', () => {
    expect(Value.Check(UpdateTask, {})).toBe(false);
    expect(Value.Check(UpdateTask, { completed: true })).toBe(true);
  });
});

describe('TaskQuery', () => {
  it('defaults to all tasks, newest first', () => {
    expect(Value.Default(TaskQuery, {})).toEqual({ status: 'all', sort: 'created', limit: 50, offset: 0 });
  });

  it('rejects unknown filters and sorts', () => {
    expect(Value.Check(TaskQuery, { status: 'done' })).toBe(false);
    expect(Value.Check(TaskQuery, { sort: 'priority' })).toBe(false);
  });

  it('bounds the page: 1 to 100 tasks, a non-negative offset', () => {
    expect(Value.Check(TaskQuery, { limit: 100, offset: 0 })).toBe(true);
    expect(Value.Check(TaskQuery, { limit: 0 })).toBe(false);
    expect(Value.Check(TaskQuery, { limit: 101 })).toBe(false);
    expect(Value.Check(TaskQuery, { offset: -1 })).toBe(false);
  });
});
