export const ROLES = ['CLERK', 'OFFICER', 'FINANCE', 'AUDITOR', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];
