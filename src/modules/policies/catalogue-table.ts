import type { AmountRule } from '../eligibility/amount-rule.js';
import { CATALOGUE_FILES, type CatalogueFile } from './catalogue.js';

const CATEGORY_ZH: Record<string, string> = {
  REWARD: '奖励',
  PREFERENTIAL: '优待',
  EXEMPTION: '减免',
  SUPPORT: '扶持',
  SECURITY: '保障',
  RELIEF: '救助',
};
const FREQUENCY: Record<string, string> = {
  MONTHLY: 'monthly 按月',
  ANNUAL: 'annual 按年',
  ONE_TIME: 'one-time 一次性',
  STANDING: 'standing 长期',
};
const BENEFICIARIES: Record<string, string> = {
  HOUSEHOLD: 'household 家庭',
  PARENTS: 'each parent 父母',
  CHILDREN: 'each child 子女',
  MEMBERS: 'each member 成员',
};

function amountText(amount: AmountRule): string {
  switch (amount.kind) {
    case 'FIXED':
      return amount.amount;
    case 'TABLE':
      return amount.cases.map((entry) => `${String(entry.equals)}: ${entry.amount}`).join(', ');
    case 'NONE':
      return 'non-cash';
  }
}

function versionsText(file: CatalogueFile): string {
  return [...file.versions]
    .sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1))
    .map((v) => `${amountText(v.amount)} (${v.effectiveFrom.slice(0, 4)}-${v.effectiveTo?.slice(0, 4) ?? ''})`)
    .join('; ');
}

/**
 * The README's table of the 15 policies, generated from the catalogue files (a test keeps the
 * README equal to it; `WRITE_README=1` on that test rewrites it).
 */
export function policyTableMarkdown(files: readonly CatalogueFile[] = CATALOGUE_FILES): string {
  const rows = files.map(
    (f) =>
      `| \`${f.code}\` | ${f.name} | ${f.nameEn} | ${f.category} ${CATEGORY_ZH[f.category]} | ` +
      `${BENEFICIARIES[f.beneficiaries]} | ${FREQUENCY[f.frequency]} | ${versionsText(f)} | ${f.summary} |`,
  );
  return [
    '| code | 名称 | name | category 类别 | paid to | frequency | amount (yuan, years) | who qualifies |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
