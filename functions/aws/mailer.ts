import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Mail, Mailer } from '../core/ports';
import { withTransient } from './errors';

export type { Mail };

/** Where SES sends from and which configuration set (bounce and complaint events) every send names. */
export interface MailSender {
  readonly from: string;
  /** Unset locally: the SES emulator has no configuration sets. */
  readonly configurationSet?: string;
}

/** Sends one email through SES v2 (Simple content, text + html), tagged with what it is about. */
export async function sendMail(ses: SESv2Client, sender: MailSender, mail: Mail): Promise<void> {
  await withTransient(() =>
    ses.send(
      new SendEmailCommand({
        FromEmailAddress: sender.from,
        ...(sender.configurationSet ? { ConfigurationSetName: sender.configurationSet } : {}),
        Destination: { ToAddresses: [mail.to] },
        ...(mail.tags
          ? {
              EmailTags: [
                { Name: 'requestId', Value: mail.tags.requestId },
                { Name: 'purpose', Value: mail.tags.purpose },
              ],
            }
          : {}),
        Content: {
          Simple: {
            Subject: { Data: mail.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: mail.text, Charset: 'UTF-8' },
              Html: { Data: mail.html, Charset: 'UTF-8' },
            },
          },
        },
      }),
    ),
  );
}

/** The `Mailer` port on SES v2, sending from one verified identity through the deployment's configuration set. */
export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESv2Client,
    private readonly sender: MailSender,
  ) {}

  send(mail: Mail): Promise<void> {
    return sendMail(this.ses, this.sender, mail);
  }
}
