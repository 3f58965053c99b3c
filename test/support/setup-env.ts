process.env.POWERTOOLS_DEV = process.env.POWERTOOLS_DEV ?? 'false';
process.env.POWERTOOLS_LOG_LEVEL = process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT';
// The local runtime enforces the deployment's abuse limits; the tests submit many requests from one IP.
process.env.DSR_LOCAL_RATE_LIMIT = process.env.DSR_LOCAL_RATE_LIMIT ?? '10000';
