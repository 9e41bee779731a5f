import { readFileSync, writeFileSync } from 'node:fs';
import { CATALOGUE_FILES, cataloguePolicies } from './catalogue.js';
import { policyTableMarkdown } from './catalogue-table.js';
import { POLICY_CODES } from './policy-codes.js';

const README = new URL('../../../README.md', import.meta.url);
const START = '<!-- policy-table:start (generated from src/modules/policies/catalogue; see below) -->';
const END = '<!-- policy-table:end -->';

describe('the policy catalogue files', () => {
  it('hold the 15 policies, each version with its own id, in force one at a time', () => {
    expect(CATALOGUE_FILES.map((file) => file.code)).toEqual([...POLICY_CODES]);
    const ids = CATALOGUE_FILES.flatMap((file) => file.versions.map((v) => v.id));
    expect(new Set(ids).size).toBe(ids.length);
    for (const policy of cataloguePolicies()) {
      for (let i = 1; i < policy.versions.length; i++) {
        expect(policy.versions[i - 1].effectiveTo! < policy.versions[i].effectiveFrom).toBe(true);
      }
    }
  });

  it('name the categories as the seed does (奖励、优待、减免、扶持、保障、救助)', () => {
    expect(new Set(CATALOGUE_FILES.map((file) => file.category))).toEqual(
      new Set(['REWARD', 'PREFERENTIAL', 'EXEMPTION', 'SUPPORT', 'SECURITY', 'RELIEF']),
    );
  });

  it('are the README table of policies, word for word', () => {
    const readme = readFileSync(README, 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start).toBeGreaterThan(0);
    const table = policyTableMarkdown();
    if (process.env.WRITE_README === '1') {
      writeFileSync(README, `${readme.slice(0, start + START.length)}\n\n${table}\n\n${readme.slice(end)}`);
      return;
    }
    expect(readme.slice(start + START.length, end).trim()).toBe(table);
  });
});
