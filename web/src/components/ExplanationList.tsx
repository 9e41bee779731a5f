import { conditionText, factValue } from '../i18n/labels';

export interface Reason {
  condition: string;
  actual: unknown;
  passed: boolean;
}

/** Why a decision came out as it did: each condition of the rule in words, its value, and whether it held. */
export function ExplanationList({ reasons }: { reasons: Reason[] }) {
  return (
    <ul aria-label="判定条件" style={{ margin: 0, paddingLeft: 20 }}>
      {reasons.map((r, i) => (
        <li key={i}>
          <span aria-hidden>{r.passed ? '✔' : '✘'}</span> {conditionText(r.condition)}：实际为{' '}
          <strong>{factValue(r.actual)}</strong>，{r.passed ? '符合' : '不符合'}
        </li>
      ))}
    </ul>
  );
}
