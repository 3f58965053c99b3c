/**
 * `npm run seed -- --target aws`: the stack's outputs (as `cdk deploy --outputs-file` writes them) name
 * its demo tables and buckets, and the same seeding code plants the subject there. Pointed at the
 * emulators, with tables and buckets named like a deployment's generated ones.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { resolveSubject } from '../../functions/connectors/resolve-subject';
import { bindStores, isDataStore } from '../../functions/core/data-map';
import { plantSubject } from '../../infra/local/demo-data';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';
import { connectToDeployedStack } from '../../infra/local/deployed-stack';
import { type Emulators, LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators } from '../../infra/local/emulators';
import { UsageError } from '../../infra/local/running-system';
import { createResources } from '../../infra/local/system';

jest.setTimeout(60_000);

let emulators: Emulators;
let dir: string;
// Generated-looking names, as CloudFormation gives the demo stores of a deployed stack.
const bindings = Object.fromEntries(
  loadDemoDataMap()
    .stores.filter(isDataStore)
    .map((s) => [s.id, `dsrworkflowstack-demo${s.id.replace(/[^a-z]/g, '')}-1a2b3c`]),
);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dsr-seed-aws-'));
  emulators = await startEmulators({ dataDir: dir });
  const raw = new DynamoDBClient({
    endpoint: emulators.endpoints.dynamodb,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const clients = {
    dynamodb: DynamoDBDocumentClient.from(raw),
    s3: new S3Client({
      endpoint: emulators.endpoints.s3,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      forcePathStyle: true,
    }),
  };
  await createResources(clients, raw, bindStores(loadDemoDataMap(), bindings));
  clients.dynamodb.destroy();
  clients.s3.destroy();
});

afterAll(async () => {
  await emulators?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function outputsFile(outputs: Record<string, unknown>): Promise<string> {
  const file = path.join(dir, 'cdk-outputs.json');
  await writeFile(file, JSON.stringify({ DsrWorkflowStack: outputs }));
  return file;
}

const overrides = () => ({
  endpoints: { dynamodb: emulators.endpoints.dynamodb, s3: emulators.endpoints.s3 },
  credentials: LOCAL_CREDENTIALS,
  forcePathStyle: true,
});

describe('seeding a deployed stack', () => {
  it("plants the subject in the stack's own demo tables and buckets, named by its outputs", async () => {
    // Prepare
    const file = await outputsFile({
      Region: LOCAL_REGION,
      ApiUrl: 'https://abc123.execute-api.ap-southeast-3.amazonaws.com/prod/',
      DemoStoreBindings: JSON.stringify(bindings),
    });
    const stack = await connectToDeployedStack({
      outputsFile: file,
      stackName: 'DsrWorkflowStack',
      overrides: overrides(),
    });

    // Act
    let counts: Record<string, number>;
    try {
      counts = await plantSubject(stack.clients, stack.dataMap, {
        email: 'trial.person@example.com',
        records: 2,
      });

      // Assess: found again through the bound stores, so an export from the deployed stack sees it.
      const subject = await resolveSubject(stack.dataMap, stack.clients, 'trial.person@example.com');
      expect(subject.identities.customerId).toHaveLength(1);
    } finally {
      stack.close();
    }
    expect(counts).toMatchObject({ customers: 1, orders: 2 });
    const customers = stack.dataMap.stores.find((s) => s.id === 'customers');
    expect(customers?.kind === 'dynamodb' && customers.table).toBe(bindings.customers);
  });

  it('says how to deploy one when the stack has no demo stores, or the outputs file is missing', async () => {
    const file = await outputsFile({ Region: LOCAL_REGION, ApiUrl: 'https://abc123.example.com/prod/' });
    const connect = (outputsFile: string) =>
      connectToDeployedStack({ outputsFile, stackName: 'DsrWorkflowStack', overrides: overrides() });
    await expect(connect(file)).rejects.toThrow(/deploy it with -c trial=true/);
    await expect(connect(path.join(dir, 'nowhere.json'))).rejects.toThrow(UsageError);
    await expect(connect(path.join(dir, 'nowhere.json'))).rejects.toThrow(/--outputs-file/);
  });
});
