/** The email support gets when a request becomes due soon or overdue: facts and steps, never the subject's data. */
import { escapeHtml } from '../html';
import type { Mail } from '../ports';
import type { DueRequest } from './due';

/** The support email for one request's change of deadline state. */
export function deadlineMail(due: DueRequest): Omit<Mail, 'to'> {
  const overdue = due.standing.state === 'overdue';
  const facts: [string, string][] = [
    ['Request', due.requestId],
    ['Type', due.type],
    ['Jurisdiction', due.jurisdiction],
    ['Status', due.status],
    ['Received', due.receivedAt],
    ['Due', `${due.dueAt} (${due.standing.text})`],
  ];
  const steps = overdue
    ? [
        `Look at request ${due.requestId} (DSR-ShowRequest, or npm run support -- show ${due.requestId}) and find what it waits for.`,
        'Finish it, or record why it cannot be finished; tell the person.',
        'See docs/RUNBOOK.md, "SLA: overdue request".',
      ]
    : [
        `Look at request ${due.requestId} (DSR-ShowRequest) and make sure nothing holds it up.`,
        'Where the law allows it (EU, US-CA access and delete) and more time is really needed, extend it with a reason (DSR-ExtendDeadline) before the due time.',
        'See docs/RUNBOOK.md, "Request due soon".',
      ];
  const lead = overdue
    ? `A data-subject request is past its legal deadline (${due.standing.text}).`
    : `A data-subject request is due within 24 hours (${due.standing.text}).`;
  const text = [
    lead,
    '',
    ...facts.map(([k, v]) => `${k}: ${v}`),
    '',
    'What to do:',
    ...steps.map((s, i) => `${i + 1}. ${s}`),
  ].join('\n');
  const html = [
    `<p>${escapeHtml(lead)}</p>`,
    `<table>${facts.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`,
    `<p>What to do:</p><ol>${steps.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ol>`,
  ].join('\n');
  return {
    subject: `[DSR] ${overdue ? 'Overdue' : 'Due soon'}: ${due.requestId} (${due.standing.text})`,
    text,
    html,
  };
}
