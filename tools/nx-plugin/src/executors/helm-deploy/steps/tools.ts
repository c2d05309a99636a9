import { readAdvice, toolAdvice } from '../../../lib/advice.ts';
import { DeployError, type StepContext } from '../context.ts';

/** The tools this deploy needs; Minikube only when no kubeContext is given. */
function requiredTools(minikube: boolean): string[] {
  return minikube ? ['minikube', 'docker', 'helm', 'kubectl'] : ['docker', 'helm', 'kubectl'];
}

/**
 * Step "tools": every missing tool is reported at once with how to install it. A dry run changes nothing, so it
 * goes on with a warning (and previews what it can); a real deploy stops. Returns the missing tools.
 */
export function checkTools(ctx: StepContext, minikube: boolean): string[] {
  ctx.step('tools');
  const tools = requiredTools(minikube);
  const missing = tools.filter((tool) => !ctx.runner.which(tool));
  if (!missing.length) {
    ctx.say(`  ${tools.join(', ')}: found`);
    return [];
  }
  const advice = readAdvice(ctx.root);
  const list = `${missing.join(', ')} missing`;
  if (ctx.o.dryRun) {
    for (const tool of missing) ctx.warn(toolAdvice(advice, tool));
    ctx.warn(`dry run: ${list}; previewing anyway, a real deploy needs ${missing.length > 1 ? 'them' : 'it'}.`);
    return missing;
  }
  for (const tool of missing) ctx.runner.error(`✖ ${toolAdvice(advice, tool)}`);
  throw new DeployError(`${list}; install ${missing.length > 1 ? 'them' : 'it'} and run again.`);
}
