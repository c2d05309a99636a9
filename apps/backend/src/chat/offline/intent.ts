import { LIMITS, type TaskStatus } from '@todo-stack/shared';
import { linear } from './linear.js';

/** Which task the user means: by id ("task 3", "#3") or by (part of) its title ("the dentist one"). */
export type TaskRef = { id: number } | { title: string };

export type Intent =
  | { kind: 'add'; title: string; description?: string }
  | { kind: 'list'; status: TaskStatus }
  | { kind: 'complete'; ref: TaskRef }
  | { kind: 'delete'; ref: TaskRef }
  | { kind: 'update'; ref: TaskRef; title?: string; description?: string }
  | { kind: 'greet' }
  | { kind: 'thanks' }
  | { kind: 'help' }
  | { kind: 'unknown' };

const POLITE = linear(/^(?:(?:please|pls|can you|could you|would you|will you|kindly|now|ok(?:ay)?|also|and)[,\s]+)+/i);
const GREETING = linear(/^(?:hi|hello|hey|hiya|howdy|yo|good (?:morning|afternoon|evening))(?:\s+there)?\b[,!.\s]*/i);

const HELP = linear(
  /^(?:help|\?|what can you do|what do you do|how does (?:this|it) work|what are you|who are you|commands)\b/i,
);
const THANKS = linear(
  /^(?:thanks|thank you|thx|ty|cheers|great|cool|nice|perfect|awesome|ok(?:ay)?|got it)\b[\s\w]*$/i,
);

const UPDATE_DESCRIPTION = [
  linear(/^(?:change|update|set|edit)\s+the\s+(?:description|details|notes?)\s+(?:of|for|on)\s+(.+?)\s+to\s+(.+)$/i),
  linear(/^(?:change|update|set|edit)\s+(.+?)(?:'s)?\s+(?:description|details|notes?)\s+to\s+(.+)$/i),
];
const UPDATE_TITLE = linear(/^(?:rename|change|update|edit|retitle)\s+(.+?)\s+(?:to|into|as)\s+(.+)$/i);
const DELETE = linear(/^(?:delete|remove|erase|drop|trash|get rid of|cancel|scrap|forget about)\s+(.+)$/i);
const COMPLETE = [
  linear(/^(?:mark|set|flag)\s+(.+?)\s+(?:as\s+)?(?:done|complete|completed|finished)$/i),
  linear(
    /^(?:i(?:'ve| have)?\s+)?(?:i'?m\s+)?(?:complete|completed|finish|finished|done with|done|check off|checked off|tick off|ticked off|did)\s+(.+)$/i,
  ),
  linear(/^(.+?)\s+(?:is|are)\s+(?:done|finished|complete|completed)$/i),
];
const ADD = [
  linear(
    /^(?:add|create|new task|new todo)\b\s*(?:a\s+)?(?:new\s+)?(?:task|todo|item|reminder)?\s*(?:to|for|called|named|:)?\s*(.+)$/i,
  ),
  linear(/^(?:remember|remind me|don'?t let me forget|note down|note|jot down)\s+(?:to\s+)?(?:that\s+)?(.+)$/i),
  linear(/^(?:i\s+(?:need|have|want|must|should|gotta|got)\s+to|i\s+must|i\s+should|todo:?|to-?do:?)\s+(.+)$/i),
];
/** Words that make a message about the list (after the action verbs had their chance). */
const LIST = linear(
  /\b(?:show|list|display|view|tasks?|todos?|to-?do|to do|pending|left|remaining|outstanding|open|completed|finished|done|have)\b/i,
);

/** "task 3", "#3", "number 3", "3": an id. */
const ID_REF = linear(/^(?:(?:task|todo|item|number|no\.?)\s*)?#?\s*(\d{1,10})$/i);

const TRAILING_PUNCTUATION = linear(/[.!?,]+$/);
/** Words around a title that are not part of it: "the", "task called", "one", "from my list" (removed in order). */
const REF_FILLER = [
  linear(/^(?:the|my|that|this|a)\s+/i),
  linear(/^(?:task|todo|item)\s+(?:called|named|about|to|for)?\s*/i),
  linear(/^(?:called|named|about)\s+/i),
  linear(/\s+(?:one|task|todo|item|thing)$/i),
  linear(/\s+(?:from|on|off)\s+(?:my|the)\s+(?:list|tasks|todo list)$/i),
];

/** Turns the words that name a task into a reference: an id, or the title words without filler. */
function parseRef(words: string): TaskRef | undefined {
  const text = unquote(TRAILING_PUNCTUATION.replace(words.trim(), ''));
  const id = ID_REF.exec(text);
  if (id) return { id: Number(id[1]) };
  const title = unquote(REF_FILLER.reduce((rest, filler) => filler.replace(rest, ''), text).trim());
  return title ? { title } : undefined;
}

// Non-ASCII characters in regex literals are written as escapes: esbuild keeps regex text as written, and one
// character above U+00FF makes V8 hold the whole bundle as two-byte text (see esbuild.config.cjs).
const QUOTED = linear(/^["'\u201C\u2018](.*)["'\u201D\u2019]$/s);
const unquote = (text: string) => QUOTED.replace(text, '$1').trim();

const TITLE_END = linear(/[.!]+$/);

/** Capitalises the first letter, keeps the rest as typed: "buy milk" → "Buy milk". */
const asTitle = (text: string) => {
  const clean = unquote(TITLE_END.replace(text.trim(), ''));
  return clean.charAt(0).toUpperCase() + clean.slice(1);
};

const ADD_TO_LIST = linear(/\s+(?:to|on|in)\s+(?:my|the)\s+(?:list|tasks|todo list|to-?do list|todos)\b/i);
const ADD_DESCRIPTION = linear(
  /\s+(?:with (?:the )?(?:description|details|note)|description:|details:|notes?:|--?|\u2014)\s*:?\s*/i,
);

function parseAdd(rest: string): Intent | undefined {
  const body = ADD_TO_LIST.replace(rest, '').trim();
  const [title, description] = ADD_DESCRIPTION.split(body, 2);
  if (!title?.trim()) return undefined;
  return { kind: 'add', title: asTitle(title), ...(description?.trim() ? { description: description.trim() } : {}) };
}

const PENDING = linear(
  /\b(?:not done|not finished|unfinished|incomplete|pending|left|remaining|outstanding|open|to do|todo|still)\b/i,
);
const COMPLETED = linear(/\b(?:completed|finished|done|did i|have i done|accomplished)\b/i);

function listStatus(text: string): TaskStatus {
  if (PENDING.test(text)) return 'pending';
  if (COMPLETED.test(text)) return 'completed';
  return 'all';
}

const MESSAGE_END = linear(/[?!.]+$/);
/** Questions are lists ("what have I finished?"), never actions. */
const QUESTION = linear(/^(?:what|which|how many|do i|did i|have i|anything|show|list|display|view|see)\b/i);

/**
 * Reads what the user wants from one message, deterministically. Order matters: specific verbs
 * (rename, delete, complete) before the broad list and add patterns.
 */
export function parseIntent(message: string): Intent {
  // The API refuses longer messages; the cap keeps the parser's work bounded for any other caller too.
  // Whitespace is collapsed by V8 (a linear pattern, proved by recheck), so RE2's ASCII `\s` sees only spaces.
  let text = message.slice(0, LIMITS.chatMessage).trim().replace(/\s+/g, ' ');
  const greeted = GREETING.test(text);
  text = MESSAGE_END.replace(POLITE.replace(GREETING.replace(text, ''), ''), '').trim();
  if (text === '') return greeted ? { kind: 'greet' } : { kind: 'unknown' };
  if (HELP.test(text)) return { kind: 'help' };
  if (THANKS.test(text)) return { kind: 'thanks' };

  for (const pattern of UPDATE_DESCRIPTION) {
    const match = pattern.exec(text);
    const ref = match && parseRef(match[1] as string);
    if (match && ref) return { kind: 'update', ref, description: unquote((match[2] as string).trim()) };
  }
  const rename = UPDATE_TITLE.exec(text);
  const renameRef = rename && parseRef(rename[1] as string);
  if (rename && renameRef) return { kind: 'update', ref: renameRef, title: asTitle(rename[2] as string) };

  const del = DELETE.exec(text);
  const delRef = del && parseRef(del[1] as string);
  if (del && delRef) return { kind: 'delete', ref: delRef };

  const question = QUESTION.test(text);
  if (!question) {
    for (const pattern of COMPLETE) {
      const match = pattern.exec(text);
      const ref = match && parseRef(match[1] as string);
      if (match && ref) return { kind: 'complete', ref };
    }
    for (const pattern of ADD) {
      const match = pattern.exec(text);
      const intent = match && parseAdd(match[1] as string);
      if (intent) return intent;
    }
  }
  if (LIST.test(text)) return { kind: 'list', status: listStatus(text) };
  return greeted ? { kind: 'greet' } : { kind: 'unknown' };
}
