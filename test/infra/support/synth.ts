import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DEPLOYMENT } from '../../../functions/deployment';
import { buildApp } from '../../../infra/app';
import type { DsrWorkflowStack } from '../../../infra/stack';

const CDK_JSON = path.join(__dirname, '../../../cdk.json');

/**
 * Empty handler files at every registry entry path, so infra tests never
 * depend on the handlers being written (bundling is skipped anyway).
 */
export function stubHandlers(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dsr-infra-'));
  for (const { entry } of Object.values(DEPLOYMENT)) {
    fs.mkdirSync(path.dirname(path.join(root, entry)), { recursive: true });
    fs.writeFileSync(path.join(root, entry), 'export const handler = async () => ({});\n');
  }
  fs.writeFileSync(path.join(root, 'package-lock.json'), '{}\n');
  return root;
}

export interface Synthesised {
  readonly app: App;
  readonly stack: DsrWorkflowStack;
  readonly template: Template;
}

/** The app as `cdk synth` builds it (cdk.json context plus `context`), without bundling. */
export function synth(context: Record<string, unknown> = {}): Synthesised {
  const cdkJson = JSON.parse(fs.readFileSync(CDK_JSON, 'utf8')) as { context: Record<string, unknown> };
  const app = new App({
    context: { ...cdkJson.context, ...context, 'aws:cdk:bundling-stacks': [] },
  });
  const stubs = stubHandlers();
  try {
    const stack = buildApp(app, { projectRoot: stubs });
    return { app, stack, template: Template.fromStack(stack) };
  } finally {
    fs.rmSync(stubs, { recursive: true, force: true });
  }
}
