import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Mail, Mailer } from '../core/ports';
import { withTransient } from './errors';

export type { Mail };

/** Sends one email through SES v2 (Simple content, text + html). */
export async function sendMail(ses: SESv2Client, from: string, mail: Mail): Promise<void> {
  await withTransient(() =>
    ses.send(
      new SendEmailCommand({
        FromEmailAddress: from,
        Destination: { ToAddresses: [mail.to] },
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

/** The `Mailer` port on SES v2, sending from one verified identity. */
export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESv2Client,
    private readonly from: string,
  ) {}

  send(mail: Mail): Promise<void> {
    return sendMail(this.ses, this.from, mail);
  }
}
