import type { Connector, Subject, SurveyPage } from '../ports';

/**
 * The subject's current records and recoverable refs in one store: the
 * connector's own one-listing `survey`, or `export` (attachments: false) then `locate`.
 */
export async function* surveyOf(connector: Connector, subject: Subject): AsyncIterable<SurveyPage> {
  if (connector.survey) {
    yield* connector.survey(subject);
    return;
  }
  for await (const records of connector.export(subject, { attachments: false })) yield { records, refs: [] };
  for await (const refs of connector.locate(subject)) yield { records: [], refs };
}
