import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { withTransient } from './errors';

export interface Mail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

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
