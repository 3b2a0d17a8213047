/**
 * What every vitest config shares: the workspace's packages import each other
 * by name ('predictive-coding/core'), resolved to their TypeScript sources by
 * the package.json exports condition below, so tests run the sources without a build.
 */
export const SOURCE_CONDITION = 'predictive-coding-source';

export const sourceResolution = {
  resolve: { conditions: [SOURCE_CONDITION, 'module', 'browser', 'development|production'] },
  ssr: { resolve: { conditions: [SOURCE_CONDITION, 'module', 'node', 'development|production'], externalConditions: [SOURCE_CONDITION] } },
};
