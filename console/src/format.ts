import { locale } from './i18n';

/*
 * Money is kept as the ledger keeps it, integer minor units in a string; the
 * console reads and shows yuan with two decimals, never through floating point.
 */

const AMOUNT = /^\d{1,16}(\.\d{1,2})?$/;

/** "1,234.5" → "123450"; undefined when it is not an amount. */
export function toMinor(input: string): string | undefined {
  const s = input.replace(/[,\s，]/g, '');
  if (!AMOUNT.test(s)) return undefined;
  const [whole, frac = ''] = s.split('.');
  const minor = `${whole}${frac.padEnd(2, '0')}`.replace(/^0+(?=\d)/, '');
  return minor;
}

const WHOLE = /^\d{1,9}$/;

/** " 450 " → 450; undefined when it is not a whole number of at most 9 digits (so never '' read as 0, as Number('') is). */
export function wholeNumber(input: string): number | undefined {
  const s = input.trim();
  return WHOLE.test(s) ? Number.parseInt(s, 10) : undefined;
}

/** Minor units → "1,234.50 CNY" in the console's locale. */
export function money(minor: string | undefined, currency = 'CNY'): string {
  if (minor === undefined || !/^-?\d+$/.test(minor)) return '–';
  const n = BigInt(minor);
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const whole = new Intl.NumberFormat(locale.value === 'zh' ? 'zh-CN' : 'en-US').format(abs / 100n);
  const frac = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${whole}.${frac} ${currency}`;
}

export function dateTime(iso: string | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale.value === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' }).format(d) + ' UTC';
}

export function month(date: string): string {
  const d = new Date(`${date.slice(0, 7)}-01T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return date;
  return new Intl.DateTimeFormat(locale.value === 'zh' ? 'zh-CN' : 'en-GB', { year: 'numeric', month: 'long', timeZone: 'UTC' }).format(d);
}
