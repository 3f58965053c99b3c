/**
 * How THE workflow definition (`dsr.asl.json`) names its Task functions: as
 * `${<Name>FunctionArn}`, one per task entry of the deployment registry
 * (functions/deployment.ts). The CDK substitutes each function's ARN; the
 * local runtime binds each such Task state to that entry's handler.
 */
import path from 'node:path';
import type { TaskName } from '../functions/deployment';

/** The ASL placeholder for a task function's ARN. */
export const functionArnVariable = (name: TaskName): string => `${name}FunctionArn`;

export const WORKFLOW_DEFINITION_FILE = path.join(__dirname, 'dsr.asl.json');

/** Task names a FunctionName like `${PlanStoresFunctionArn}` refers to, or undefined. */
export function taskNameOf(functionName: unknown): string | undefined {
  if (typeof functionName !== 'string') return undefined;
  const match = /^\$\{([A-Za-z0-9]+)FunctionArn\}$/.exec(functionName);
  return match?.[1];
}
