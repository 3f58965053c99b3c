/**
 * The house rules (docs/ARCHITECTURE.md), enforced by `npm run lint`:
 * core is the domain and knows only its ports; adapters implement them;
 * entry points call core through the composition root; nothing imports in a circle.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle makes load order matter and hides which module owns what.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-is-plain-typescript',
      severity: 'error',
      comment:
        'functions/core imports only itself, zod and Node built-ins; what it needs from outside is a port.',
      from: { path: '^functions/core/' },
      to: {
        pathNot: ['^functions/core/', '(^|/)node_modules/zod/'],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'no-sdk-in-entry-points',
      severity: 'error',
      comment: 'Every AWS SDK call lives in functions/aws or functions/connectors.',
      from: {
        path: ['^functions/(http|tasks|jobs|events|support|middleware)/', '^functions/deployment\\.ts$'],
      },
      to: { path: '(^|/)node_modules/@aws-sdk/' },
    },
    {
      name: 'entry-points-do-not-import-each-other',
      severity: 'error',
      comment:
        'A task handler never imports an HTTP handler (or the other way): shared code belongs in core or an adapter.',
      from: { path: '^functions/(http|tasks|jobs|events|support)/' },
      to: { path: '^functions/(http|tasks|jobs|events|support)/', pathNot: ['^functions/$1/'] },
    },
    {
      name: 'adapters-do-not-import-entry-points',
      severity: 'error',
      comment: 'Adapters and the shared middleware never reach back into handlers.',
      from: { path: '^functions/(aws|connectors|middleware)/' },
      to: { path: '^functions/(http|tasks|jobs|events|support)/' },
    },
    {
      name: 'functions-do-not-import-infra-config-or-tools',
      severity: 'error',
      comment:
        'Runtime code gets the data map and settings through its environment, never from infra, config files or vendored tools.',
      from: { path: '^functions/' },
      to: { path: '^(infra|config|tools|test)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(cdk\\.out|\\.local|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
