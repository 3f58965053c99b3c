/**
 * What the command-line tools need from a deployed stack (`--target aws`): its
 * outputs, from the file `cdk deploy --outputs-file` writes, and SDK clients
 * for the stack's own region with the caller's AWS credentials — the same
 * clients and seeding code the local system uses, pointed at AWS.
 */
import { readFile } from 'node:fs/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { bindStores, type DataMap } from '../../functions/core/data-map';
import type { DemoClients } from './demo-data';
import { loadDemoDataMap } from './demo-data-map';
import { UsageError } from './running-system';

/** Where `cdk deploy --outputs-file` is told to write (the README's deploy command). */
export const DEFAULT_OUTPUTS_FILE = 'cdk-outputs.json';
export const DEFAULT_STACK_NAME = 'DsrWorkflowStack';

const StackOutputs = z
  .object({
    Region: z.string().min(1),
    ApiUrl: z.url(),
    /** JSON `{ storeId: tableOrBucket }`; only a stack with demo stores has it. */
    DemoStoreBindings: z.string().optional(),
  })
  .loose();
export type StackOutputs = z.infer<typeof StackOutputs>;

/** The stack's outputs from a `cdk deploy --outputs-file` file. */
export async function readStackOutputs(file: string, stackName: string): Promise<StackOutputs> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError(
      `no ${file}: deploy with npx cdk deploy --outputs-file ${file} (or pass --outputs PATH)`,
    );
  }
  const all = z.record(z.string(), z.unknown()).safeParse(JSON.parse(text));
  const outputs = StackOutputs.safeParse(all.success ? all.data[stackName] : undefined);
  if (!outputs.success) {
    throw new UsageError(`${file} has no outputs of stack ${stackName} (Region, ApiUrl): deploy it again`);
  }
  return outputs.data;
}

/** Only for tests, which point the same code at the emulators. */
export interface ClientOverrides {
  readonly endpoints?: { readonly dynamodb?: string; readonly s3?: string };
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly forcePathStyle?: boolean;
}

export interface DeployedStack {
  readonly outputs: StackOutputs;
  /** The demo data map bound to the stack's demo tables and buckets. */
  readonly dataMap: DataMap;
  readonly clients: DemoClients;
  close(): void;
}

/** Connects to a deployed stack with demo stores (`-c trial=true` or `-c demoStores=true`). */
export async function connectToDeployedStack(options: {
  readonly outputsFile: string;
  readonly stackName: string;
  readonly overrides?: ClientOverrides;
}): Promise<DeployedStack> {
  const outputs = await readStackOutputs(options.outputsFile, options.stackName);
  if (!outputs.DemoStoreBindings) {
    throw new UsageError(
      `${options.stackName} has no demo stores to seed: deploy it with -c trial=true (or -c demoStores=true)`,
    );
  }
  const bindings = z.record(z.string(), z.string()).parse(JSON.parse(outputs.DemoStoreBindings));
  const { endpoints, credentials, forcePathStyle } = options.overrides ?? {};
  const common = { region: outputs.Region, ...(credentials ? { credentials } : {}) };
  const raw = new DynamoDBClient({
    ...common,
    ...(endpoints?.dynamodb ? { endpoint: endpoints.dynamodb } : {}),
  });
  const dynamodb = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const s3 = new S3Client({
    ...common,
    ...(endpoints?.s3 ? { endpoint: endpoints.s3 } : {}),
    ...(forcePathStyle ? { forcePathStyle } : {}),
  });
  return {
    outputs,
    dataMap: bindStores(loadDemoDataMap(), bindings),
    clients: { dynamodb, s3 },
    close() {
      dynamodb.destroy();
      s3.destroy();
    },
  };
}
