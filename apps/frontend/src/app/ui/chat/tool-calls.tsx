import type { ToolCall } from '@todo-stack/shared';
import styles from './chat.module.css';

const TOOL_LABELS: Record<string, string> = {
  add_task: 'Added a task',
  list_tasks: 'Listed tasks',
  complete_task: 'Completed a task',
  delete_task: 'Deleted a task',
  update_task: 'Updated a task',
};

function summary(call: ToolCall): string {
  const args = call.arguments;
  const subject = args['title'] ?? args['task_id'] ?? args['status'];
  return subject === undefined ? '' : ` (${String(subject)})`;
}

/** Which tools the assistant ran for one answer, with their arguments and results on demand. */
export function ToolCalls({ calls }: { calls: ToolCall[] }) {
  if (calls.length === 0) return null;
  return (
    <ul className={styles.tools} aria-label="Tools used">
      {calls.map((call, index) => (
        <li key={index} className={styles.tool}>
          <details>
            <summary>
              <code>{call.tool}</code> {TOOL_LABELS[call.tool] ?? 'Ran a tool'}
              {summary(call)}
            </summary>
            <dl className={styles.toolDetail}>
              <dt>Arguments</dt>
              <dd>
                <pre>{JSON.stringify(call.arguments, null, 2)}</pre>
              </dd>
              <dt>Result</dt>
              <dd>
                <pre>{JSON.stringify(call.result, null, 2)}</pre>
              </dd>
            </dl>
          </details>
        </li>
      ))}
    </ul>
  );
}
