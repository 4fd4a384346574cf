/**
 * The currencies a record may be in: ISO 4217's active codes for money
 * (list one, as amended to 2026) whose minor unit is the hundredth. Every
 * amount on the ledger is an integer count of hundredths (fen, cents): the
 * platform fee's tiers, the console's arithmetic and an integrator's all
 * count so. A currency with another minor unit (JPY and KRW have none,
 * KWD and BHD a thousandth) would have its amounts read a hundred or ten
 * times off, so it is refused by name (`OTHER_MINOR_UNITS`). Codes for
 * testing, no currency, precious metals and funds (XTS, XXX, XAU, XDR,
 * BOV…) are not money a receivable is in. Decision: a fixed list in the
 * chaincode, not Intl's or a package's, so every peer judges a code alike
 * whatever its Node or node_modules (currency-codes 2.2.0, the package
 * most used, is of 2024 and lacks XCG). A new ISO code comes with a new
 * chaincode version.
 */
export const CURRENCIES: ReadonlySet<string> = new Set(
  (
    'AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CNY COP ' +
    'CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS ' +
    'INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN ' +
    'MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE ' +
    'SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VED VES WST XCD XCG YER ZAR ' +
    'ZMW ZWG'
  ).split(' '),
);

/** Active currencies whose minor unit is not the hundredth (none: JPY…; a thousandth: KWD…; a ten-thousandth: CLF, UYW). */
export const OTHER_MINOR_UNITS: ReadonlySet<string> = new Set(
  'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF BHD IQD JOD KWD LYD OMR TND CLF UYW'.split(' '),
);

export function isCurrency(code: string): boolean {
  return CURRENCIES.has(code);
}

/** Why a three-letter code is not taken; undefined when it is. */
export function currencyRefusal(code: string): string | undefined {
  if (CURRENCIES.has(code)) return undefined;
  if (OTHER_MINOR_UNITS.has(code)) return `${code} does not count in hundredths: amounts on this ledger are integer hundredths (fen, cents) of a currency that has them`;
  return `${code} is not an ISO 4217 currency code`;
}
