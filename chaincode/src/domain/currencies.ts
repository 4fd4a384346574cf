/**
 * The currencies a record may be in: ISO 4217's active codes for money
 * (list one, as amended to 2025), without the codes for testing, no
 * currency, precious metals and SDR-like units, which no receivable or
 * loan is in. Decision: a fixed list in the chaincode, not Intl's or a
 * package's, so every peer judges a code alike whatever its Node or
 * node_modules (currency-codes 2.2.0, the package most used, is of 2024
 * and lacks XCG). Codes withdrawn recently (ANG for XCG in 2025, BGN for
 * EUR in 2026) stay accepted for a while: amounts still owed in them are
 * registered after the change. A new ISO code comes with a new chaincode
 * version.
 */
export const CURRENCIES: ReadonlySet<string> = new Set(
  (
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD ' +
    'CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL ' +
    'GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD ' +
    'KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO ' +
    'NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD ' +
    'SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV ' +
    'WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG'
  ).split(' '),
);

export function isCurrency(code: string): boolean {
  return CURRENCIES.has(code);
}
