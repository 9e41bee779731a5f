import { conditionText, factValue } from '../i18n/labels';

export interface Reason {
  condition: string;
  actual: unknown;
  passed: boolean;
  /** The server's own words for the condition, with the value and the requirement (Chinese). */
  label?: string;
}

/**
 * Why a decision came out as it did: each condition of the rule in the server's words (its `label`,
 * e.g. "本人年龄（按出生年份）：实际57周岁，要求≥60周岁"), and whether it held. Reasons stored before
 * the server sent labels fall back to the console's own reading of the condition.
 */
export function ExplanationList({ reasons }: { reasons: Reason[] }) {
  return (
    <ul aria-label="判定条件" style={{ margin: 0, paddingLeft: 20 }}>
      {reasons.map((r, i) => (
        <li key={i}>
          <span aria-hidden>{r.passed ? '✔' : '✘'}</span>{' '}
          {r.label ? (
            r.label
          ) : (
            <>
              {conditionText(r.condition)}：实际为 <strong>{factValue(r.actual)}</strong>
            </>
          )}
          ，{r.passed ? '符合' : '不符合'}
        </li>
      ))}
    </ul>
  );
}
