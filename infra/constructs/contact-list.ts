import { RemovalPolicy } from 'aws-cdk-lib';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

export interface ContactListProps {
  /** The list's name, as the opt-out functions know it (`sesContactList`). */
  readonly name: string;
  /** Its topics (`sesContactTopics`); none = a list the opt-out unsubscribes from as a whole. */
  readonly topics: readonly string[];
}

/**
 * The SES v2 contact list opt-outs update, created only when asked: SES allows
 * one contact list per account and region, so an account that has one already
 * names it instead. It holds the company's marketing audience, so it outlives
 * the stack (kept on delete; a rolled-back create still removes it).
 */
export class ContactList extends Construct {
  public readonly list: ses.CfnContactList;

  constructor(scope: Construct, id: string, props: ContactListProps) {
    super(scope, id);
    this.list = new ses.CfnContactList(this, 'List', {
      contactListName: props.name,
      description: 'Marketing audience; data-subject opt-outs set its topics to OPT_OUT',
      ...(props.topics.length > 0
        ? {
            topics: props.topics.map((topicName) => ({
              topicName,
              displayName: topicName,
              // Consent first: a contact hears about a topic only after opting in to it.
              defaultSubscriptionStatus: 'OPT_OUT',
            })),
          }
        : {}),
    });
    this.list.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
  }
}
