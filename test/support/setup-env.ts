process.env.POWERTOOLS_DEV = process.env.POWERTOOLS_DEV ?? 'false';
process.env.POWERTOOLS_LOG_LEVEL = process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT';
