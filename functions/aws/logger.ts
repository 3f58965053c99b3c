import { Logger } from '@aws-lambda-powertools/logger';

/** The one logger. Log request ids and counts only: never emails, names, codes, tokens or URLs. */
export const logger = new Logger({ serviceName: 'dsr-workflow' });
