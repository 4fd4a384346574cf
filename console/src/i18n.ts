import { signal } from '@preact/signals';
import { fill, resources, type Locale, type MessageKey } from './catalogue';

export type { Locale, MessageKey };
export { resources };
export const LOCALES: readonly Locale[] = ['en', 'zh'];

const stored = (): Locale => {
  const saved = sessionStorage.getItem('scf.locale');
  return saved === 'zh' || saved === 'en' ? saved : navigator.language.startsWith('zh') ? 'zh' : 'en';
};

export const locale = signal<Locale>(stored());

export function setLocale(next: Locale): void {
  locale.value = next;
  sessionStorage.setItem('scf.locale', next);
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
}

/** The message for `key` in the current locale, with `{name}` filled from `params`. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  return fill(resources[locale.value][key], params);
}

/** A message key named by a code the gateway sent, or undefined when the catalogue has none. */
export function codeMessage(code: string): string | undefined {
  const key = `code.${code}`;
  return key in resources.en ? t(key as MessageKey) : undefined;
}
