/**
 * The Redis key prefix of this test run: every queue prefix a test uses starts with it (the app's is
 * `yk-test-<database>`, the database named after the run's template), so that the global teardown
 * can remove whatever the run left in Redis (test/setup/global-teardown.js).
 */
export function runKeyPrefix(): string {
  const template = process.env.YK_TEST_TEMPLATE;
  if (!template) throw new Error('test/setup/global-setup.js did not run');
  return `yk-test-yk_t_${template.replace(/^yk_tpl_/, '')}_`;
}
