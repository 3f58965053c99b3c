import { ArnFormat, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** The window of WAF rate-based rules: counts are per client IP over the last 5 minutes. */
const RATE_WINDOW_SECONDS = 300;

/** Rule names, also their CloudWatch metric names (dimension `Rule`). */
export const FIREWALL_RULES = {
  /** POSTs per client IP: submit, verify, resend, cancel (the guessing and mail-sending surface). */
  writesPerIp: 'LimitWritesPerIp',
  /** Any request per client IP: keeps one client from using up the stage's shared throttle. */
  requestsPerIp: 'LimitRequestsPerIp',
  knownBadInputs: 'AWSManagedRulesKnownBadInputsRuleSet',
  commonRuleSet: 'AWSManagedRulesCommonRuleSet',
} as const;

export interface FirewallProps {
  /** The API stage the web ACL protects. */
  readonly stage: apigw.Stage;
  /** POST requests one client IP may make in 5 minutes before it gets 429s. */
  readonly writeLimitPer5Min: number;
  /** Requests of any method one client IP may make in 5 minutes before it gets 429s. */
  readonly requestLimitPer5Min: number;
  /** Encrypts the log of blocked and counted requests. */
  readonly logKey: kms.IKey;
  readonly logRetention?: logs.RetentionDays;
}

/** A processor's signed callback, `…/processors/<id>/callback` (the stage prefix included). */
const PROCESSOR_CALLBACK: wafv2.CfnWebACL.StatementProperty = {
  andStatement: {
    statements: [
      {
        byteMatchStatement: {
          fieldToMatch: { uriPath: {} },
          positionalConstraint: 'CONTAINS',
          searchString: '/processors/',
          textTransformations: [{ priority: 0, type: 'NONE' }],
        },
      },
      {
        byteMatchStatement: {
          fieldToMatch: { uriPath: {} },
          positionalConstraint: 'ENDS_WITH',
          searchString: '/callback',
          textTransformations: [{ priority: 0, type: 'NONE' }],
        },
      },
    ],
  },
};

/**
 * An AWS WAF web ACL on the API stage: per-IP rate-based rules answering 429
 * like the application's own limits, the AWS managed known-bad-inputs and
 * common rule sets in Block mode, per-rule metrics, and a log of only the
 * requests a rule blocked or counted (query strings redacted: they carry the
 * emailed tokens). The application's per-IP and per-subject counters stay the
 * precise limits; these rules stop floods before they cost a Lambda call.
 */
export class Firewall extends Construct {
  public readonly webAcl: wafv2.CfnWebACL;
  public readonly logGroup: logs.LogGroup;
  private readonly metricPrefix: string;

  constructor(scope: Construct, id: string, props: FirewallProps) {
    super(scope, id);
    for (const [name, limit] of [
      ['writeLimitPer5Min', props.writeLimitPer5Min],
      ['requestLimitPer5Min', props.requestLimitPer5Min],
    ] as const) {
      // WAF's own bounds for a rate-based rule's limit.
      if (!Number.isInteger(limit) || limit < 10 || limit > 2_000_000_000) {
        throw new Error(`${name} must be a whole number between 10 and 2000000000`);
      }
    }
    this.metricPrefix = Names.uniqueResourceName(this, { maxLength: 60, separator: '-' });
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName: `${this.metricPrefix}-${metricName}`,
      // Sampled requests show full query strings (emailed tokens) in the console; the log redacts them.
      sampledRequestsEnabled: false,
    });
    const tooManyRequests: wafv2.CfnWebACL.RuleActionProperty = {
      block: {
        customResponse: {
          responseCode: 429,
          customResponseBodyKey: 'rate-limited',
          responseHeaders: [{ name: 'Retry-After', value: String(RATE_WINDOW_SECONDS) }],
        },
      },
    };
    const managed = (
      name: string,
      priority: number,
      excluded: string[] = [],
      scopeDownStatement?: wafv2.CfnWebACL.StatementProperty,
    ): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      // Block: the API takes small JSON and form bodies, so these signatures have little to misfire on.
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ...(excluded.length > 0
            ? { ruleActionOverrides: excluded.map((rule) => ({ name: rule, actionToUse: { count: {} } })) }
            : {}),
          ...(scopeDownStatement ? { scopeDownStatement } : {}),
        },
      },
      visibilityConfig: visibility(name),
    });

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      description: 'Protects the data-subject request API: per-IP rate limits and AWS managed rules',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      customResponseBodies: {
        'rate-limited': {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({
            error: 'rate_limited',
            message: 'Too many requests from your network. Please wait a few minutes and try again.',
          }),
        },
      },
      rules: [
        {
          name: FIREWALL_RULES.writesPerIp,
          priority: 0,
          action: tooManyRequests,
          statement: {
            rateBasedStatement: {
              limit: props.writeLimitPer5Min,
              evaluationWindowSec: RATE_WINDOW_SECONDS,
              aggregateKeyType: 'IP',
              scopeDownStatement: {
                byteMatchStatement: {
                  fieldToMatch: { method: {} },
                  positionalConstraint: 'EXACTLY',
                  searchString: 'POST',
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
            },
          },
          visibilityConfig: visibility(FIREWALL_RULES.writesPerIp),
        },
        {
          name: FIREWALL_RULES.requestsPerIp,
          priority: 1,
          action: tooManyRequests,
          statement: {
            rateBasedStatement: {
              limit: props.requestLimitPer5Min,
              evaluationWindowSec: RATE_WINDOW_SECONDS,
              aggregateKeyType: 'IP',
            },
          },
          visibilityConfig: visibility(FIREWALL_RULES.requestsPerIp),
        },
        managed(FIREWALL_RULES.knownBadInputs, 2),
        // Bodies over 8 KB only count: the handlers answer up to their 16 KB limit, then 413 in plain words.
        // Not on processors' callbacks: servers calling servers often send no User-Agent (NoUserAgent_HEADER),
        // and a callback is refused unless its HMAC signature checks out, before anything is read.
        managed(FIREWALL_RULES.commonRuleSet, 3, ['SizeRestrictions_BODY'], {
          notStatement: { statement: PROCESSOR_CALLBACK },
        }),
      ],
      visibilityConfig: visibility('WebAcl'),
    });

    const association = new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
    // The stage ARN is built from names, so CloudFormation would not otherwise wait for the stage.
    association.node.addDependency(props.stage);

    // WAF delivers only to log groups whose name starts with `aws-waf-logs-`.
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `aws-waf-logs-${Names.uniqueResourceName(this, { maxLength: 400 })}`,
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the log group ARN without the `:*` suffix CloudFormation's Arn attribute carries.
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: this.logGroup.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      // Query strings carry the emailed verification, cancel and download tokens; Authorization the status token.
      redactedFields: [{ queryString: {} }, { singleHeader: { Name: 'authorization' } }],
      // Only what a rule stopped or counted: support sees blocks; allowed traffic is in the API access log.
      loggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [
          {
            Behavior: 'KEEP',
            Requirement: 'MEETS_ANY',
            Conditions: [{ ActionCondition: { Action: 'BLOCK' } }, { ActionCondition: { Action: 'COUNT' } }],
          },
        ],
      },
    });
    logging.node.addDependency(this.logGroup);
  }

  /** Requests a rule (or, without one, the whole web ACL) blocked, summed per period. */
  public metricBlocked(rule?: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    // WAF's dimensions are metric names: the web ACL's, and the rule's or `ALL`.
    return new cloudwatch.Metric({
      namespace: 'AWS/WAFV2',
      metricName: 'BlockedRequests',
      dimensionsMap: {
        WebACL: `${this.metricPrefix}-WebAcl`,
        Region: Stack.of(this).region,
        Rule: rule ? `${this.metricPrefix}-${rule}` : 'ALL',
      },
      statistic: cloudwatch.Stats.SUM,
      ...props,
    });
  }
}
