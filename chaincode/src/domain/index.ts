/** The pure domain of the ledger core: no Fabric, no I/O, no clock. */
export * from './errors';
export * from './types';
export * from './validation';
export * from './meta';
export * from './money';
export * from './dates';
export * from './uscc';
export * from './statemachine';
export * from './members';
export * from './fingerprints';
export * from './receivables';
export * from './vouchers';
export * from './provenance';
export * from './warehouse';
export * from './financing';
export * from './events';
export * from './canonical';
