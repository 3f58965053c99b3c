import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { createLogger } from '../../functions/aws/logger';
import { isProcessor } from '../../functions/core/data-map';
import { DEPLOYMENT, TASKS } from '../../functions/deployment';
import { ESCALATION_LOG_MESSAGE } from '../../infra/constructs/monitoring';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';
import { functionOf, grantsOf, grantsOfFunction } from './support/policies';
import { synth } from './support/synth';

const SUPPORT = 'support@impor.in.example';
// One synth for the file (the slow part), with escalations mailed to support.
const { app, template } = synth({ supportEmail: SUPPORT });
const resources = template.toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string }
>;
const grants = grantsOf(template);
const processors = loadDemoDataMap().stores.filter(isProcessor);
const registry: Record<string, readonly string[]> = Object.fromEntries(
  Object.entries(DEPLOYMENT).map(([n, e]) => [n, e.access]),
);
const declaring = (access: string) =>
  Object.keys(registry)
    .filter((name) => registry[name]?.includes(access))
    .sort();
const idOf = (pattern: RegExp): string => {
  const id = Object.keys(resources).find((key) => pattern.test(key));
  if (!id) throw new Error(`no resource ${pattern}`);
  return id;
};
const environmentOf = (name: string): Record<string, unknown> => {
  const id = idOf(new RegExp(`^Functions${name}Function[0-9A-F]{8}$`));
  const env = resources[id]?.Properties.Environment as { Variables: Record<string, unknown> } | undefined;
  return env?.Variables ?? {};
};
const processorSecretGrants = grants.filter(
  (g) => g.action === 'secretsmanager:GetSecretValue' && g.resource.includes(':secret:'),
);

describe('processors (partner webhooks) in the deployed stack', () => {
  it('creates one retained, CMK-encrypted secret per partner, named as the data map says', () => {
    expect(processors.map((p) => p.secretName).sort()).toEqual([
      'dsr/partners/logistics',
      'dsr/partners/payments',
    ]);
    for (const processor of processors) {
      template.hasResource('AWS::SecretsManager::Secret', {
        DeletionPolicy: 'RetainExceptOnCreate',
        Properties: Match.objectLike({
          Name: processor.secretName,
          KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EncryptionKey'), 'Arn'] },
          GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
        }),
      });
    }
  });

  it('lets NotifyProcessor and ProcessorCallback read exactly the two partner secrets, by name, and nothing else', () => {
    expect(declaring('processors:secret')).toEqual(['NotifyProcessor', 'ProcessorCallback']);
    expect([...new Set(processorSecretGrants.map(functionOf))].sort()).toEqual(
      declaring('processors:secret'),
    );
    for (const name of declaring('processors:secret')) {
      const secretGrants = grantsOfFunction(grants, name).filter((g) =>
        g.action.startsWith('secretsmanager:'),
      );
      expect(secretGrants.map((g) => g.action)).toEqual([
        'secretsmanager:GetSecretValue',
        'secretsmanager:GetSecretValue',
      ]);
      const resourcesGranted = secretGrants.map((g) => g.resource).sort();
      expect(resourcesGranted).toEqual([
        expect.stringContaining(':secret:dsr/partners/logistics-??????"'),
        expect.stringContaining(':secret:dsr/partners/payments-??????"'),
      ]);
      for (const resource of resourcesGranted) expect(resource).not.toContain('*');
    }
  });

  it('gives EscalateProcessor no secret access at all', () => {
    const secretActions = grantsOfFunction(grants, 'EscalateProcessor').filter((g) =>
      g.action.startsWith('secretsmanager:'),
    );
    expect(secretActions).toEqual([]);
  });

  it('lets the task functions that wait for partners complete tasks on the DSR state machine only, with no dependency cycle', () => {
    const taskCallers = Object.keys(TASKS).filter((name) => registry[name]?.includes('workflow:callback'));
    expect(taskCallers).toEqual(['NotifyProcessor']);
    for (const name of declaring('workflow:callback')) {
      // Starting executions (the support action's lift) is `workflow:start`, granted on the machine itself.
      const callbacks = grantsOfFunction(grants, name).filter((g) => /^states:SendTask/.test(g.action));
      expect(callbacks.map((g) => g.action).sort()).toEqual([
        'states:SendTaskFailure',
        'states:SendTaskSuccess',
      ]);
      for (const g of callbacks) {
        expect(g.resource).toMatch(/:stateMachine:DsrWorkflowStack-Dsr"/);
        // Built from the known name, not a reference to the machine, which depends on the task functions.
        expect(g.resource).not.toContain('WorkflowStateMachine');
      }
    }
    const anyCallback = grants.filter((g) => g.action === 'states:SendTaskSuccess').map(functionOf);
    expect([...new Set(anyCallback)].sort()).toEqual(declaring('workflow:callback'));
  });

  it('tells only the functions that mail support (EscalateProcessor among them) where support is', () => {
    const mailingSupport = Object.keys(registry).filter((name) => registry[name]?.includes('mail:support'));
    expect(mailingSupport).toContain('EscalateProcessor');
    for (const name of Object.keys(registry)) {
      const env = environmentOf(name);
      if (mailingSupport.includes(name)) expect(env.DSR_SUPPORT_EMAIL).toBe(SUPPORT);
      else expect({ name, env }).not.toHaveProperty('env.DSR_SUPPORT_EMAIL');
    }
    // It may mail support (a recipient) because every sender is pinned to the From address, not to recipients.
    const mail = grantsOfFunction(grants, 'EscalateProcessor').filter((g) => g.action === 'ses:SendEmail');
    expect(mail.length).toBeGreaterThan(0);
    for (const g of mail) expect(JSON.stringify(g.condition)).toContain('ses:FromAddress');
  });

  it("counts every 'partner escalated' log line of EscalateProcessor as a PartnerEscalations metric", () => {
    const logGroup = idOf(/^FunctionsEscalateProcessorFunctionLogs[0-9A-F]{8}$/);
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: logGroup },
      FilterPattern: `{ $.message = "${ESCALATION_LOG_MESSAGE}" }`,
      MetricTransformations: [
        { MetricName: 'PartnerEscalations', MetricNamespace: 'DsrWorkflow', MetricValue: '1' },
      ],
    });
    expect(ESCALATION_LOG_MESSAGE).toBe('processor escalated');
  });

  it("matches the JSON line the functions' logger writes for an escalation ($.message)", () => {
    // Prepare: capture what Powertools writes (warn goes to stderr, other levels to stdout).
    const lines: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    };
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
    try {
      // Act
      createLogger({ logLevel: 'WARN' }).warn(ESCALATION_LOG_MESSAGE, {
        requestId: 'req-1',
        processorId: 'logistics',
        reason: 'deadline_passed',
      });
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    // Assess
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged).toEqual([expect.objectContaining({ message: 'processor escalated', level: 'WARN' })]);
  });

  it('alarms on one escalation in five minutes and shows escalations on the dashboard', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'DsrWorkflow',
      MetricName: 'PartnerEscalations',
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    const [dashboard] = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    expect(body).toContain('PartnerEscalations');
    expect(body).toContain('Partners escalated to support');
  });

  it('has no unacknowledged AwsSolutions or Serverless findings with partners and a support address', () => {
    const findings = [new AwsSolutionsChecks(app), new ServerlessChecks(app)].flatMap((pack) =>
      pack.validateScope(app).violations.map((v) => v.ruleName),
    );
    expect(findings).toEqual([]);
  });

  it('refuses to synthesise a data map whose partner endpoint is plain http, naming the partner', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsr-processors-'));
    try {
      const map = JSON.parse(
        fs.readFileSync(path.join(__dirname, '../../config/impor-in.data-map.json'), 'utf8'),
      ) as { stores: { id: string; kind: string; endpoint?: string }[] };
      const payments = map.stores.find((s) => s.id === 'payments');
      if (!payments) throw new Error('the demo data map has no payments partner');
      payments.endpoint = 'http://api.bayarku.example/privacy/dsr';
      const file = path.join(dir, 'insecure.data-map.json');
      fs.writeFileSync(file, JSON.stringify(map));
      expect(() => synth({ dataMap: file })).toThrow(/processor "payments".*http:/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
