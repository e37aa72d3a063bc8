import { z } from 'zod';

export const PASSWORD_MIN_LENGTH = 10;

/**
 * What is wrong with a new password, in Chinese, empty when it is acceptable: at least 10 characters, three of
 * lower case, upper case, digits and symbols, and not the user name. The console shows these as the user types;
 * the server refuses by the same rule.
 */
export function passwordProblems(password: string, username: string): string[] {
  const problems: string[] = [];
  if ([...password].length < PASSWORD_MIN_LENGTH) problems.push(`至少 ${PASSWORD_MIN_LENGTH} 个字符`);
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 3) problems.push('需包含小写字母、大写字母、数字、符号中的至少三类');
  if (username && password.toLowerCase().includes(username.toLowerCase())) problems.push('不能包含用户名');
  return problems;
}

export const ChangePasswordBody = z.object({ current: z.string().min(1).max(256), next: z.string().min(1).max(256) });
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>;
